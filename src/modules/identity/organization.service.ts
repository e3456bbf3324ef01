import { orgId } from '../../common/auth';
import { Role, type Context } from '../../common/context';
import { badInput, conflict, forbidden, notFound } from '../../common/errors';
import { rowShape } from '../../common/rows';
import { lockById } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { updateWhere } from '../audit';
import { Organization } from './organization.entity';
import { slugCandidates, slugProblem } from './slugs';

const isUniqueViolation = (err: unknown) => (err as { driverError?: { code?: string } }).driverError?.code === '23505';

function mapRow(tx: Context, row: Record<string, unknown>): Organization {
  return rowShape(tx.manager.connection, Organization).map(row);
}

/**
 * Inserts an organisation named `name` with the first free slug of `slugCandidates` (its name, then
 * the name with a random suffix). `ON CONFLICT DO NOTHING` makes a slug taken at the same moment by
 * another sign-up a retry, never an error. Call inside the caller's transaction.
 */
export async function insertOrganization(tx: Context, name: string): Promise<Organization> {
  for (const slug of slugCandidates(name)) {
    const rows: Array<Record<string, unknown>> = await tx.manager.query(
      `INSERT INTO organizations (name, slug) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING *`,
      [name, slug],
    );
    if (rows[0]) return mapRow(tx, rows[0]);
  }
  throw new Error('unreachable: slugCandidates never ends');
}

export interface UpdateOrganizationArgs {
  name?: string | null;
  slug?: string | null;
}

/**
 * Renames the organisation the request acts in (OWNER/ADMIN), or changes its slug (OWNER only:
 * integrations may name the organisation by its slug in X-Organization-Id). A slug must follow
 * the slug rules and be free; taken is CONFLICT.
 */
export async function updateOrganization(ctx: Context, input: UpdateOrganizationArgs) {
  const name = input.name?.trim();
  const slug = input.slug ?? undefined;
  if (name === undefined && slug === undefined) throw badInput('Send a new name, a new slug, or both', 'name');
  if (slug !== undefined) {
    const problem = slugProblem(slug);
    if (problem) throw badInput(problem, 'slug');
    if (ctx.role !== Role.OWNER) {
      throw forbidden('Only an OWNER can change the slug: integrations may use it in X-Organization-Id');
    }
  }
  return withTransaction(ctx, async (tx) => {
    const before = await lockById(tx, Organization, orgId(tx));
    const set: Partial<Pick<Organization, 'name' | 'slug'>> = {};
    if (name !== undefined) set.name = name;
    if (slug !== undefined) set.slug = slug;
    try {
      const organization = await updateWhere(tx, Organization, before, null, set, {
        action: 'organization.updated',
        unmet: () => notFound('Organization'),
      });
      return { organization };
    } catch (err) {
      // The unique index decides, also between two owners asking for the same slug at once.
      if (isUniqueViolation(err)) throw conflict(`The slug "${slug}" is taken by another organisation: choose another`, { field: 'slug' });
      throw err;
    }
  });
}
