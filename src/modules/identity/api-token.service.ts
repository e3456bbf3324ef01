import { orgId } from '../../common/auth';
import { ApiTokenScope, Role, type Context } from '../../common/context';
import { paginate, type ConnectionArgs } from '../../common/connection';
import { listCursors } from '../../common/cursors';
import { badInput, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { withTransaction } from '../../db/transaction';
import { createRecorded, recordChange } from '../audit';
import { ApiToken } from './api-token.entity';
import { API_TOKEN_PREFIX } from './authenticate';
import { newSecret } from './secrets';

export interface CreateApiTokenArgs {
  name: string;
  scopes: ApiTokenScope[];
  expiresAt?: Date | null;
}

/** Creates a token acting with the creator's role (never above ADMIN); the secret is returned once. */
export async function createApiToken(ctx: Context, input: CreateApiTokenArgs) {
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw badInput('scopes must name READ, WRITE or both', 'scopes');
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw badInput('expiresAt must be in the future', 'expiresAt');
  }
  const role = ctx.role === Role.OWNER ? Role.ADMIN : ctx.role!;
  const { secret, hash } = newSecret(API_TOKEN_PREFIX.replace(/_$/, ''));
  return withTransaction(ctx, async (tx) => {
    const token = await createRecorded(
      tx,
      ApiToken,
      {
        organizationId: orgId(tx),
        name: input.name.trim(),
        scopes,
        role,
        tokenHash: hash,
        createdById: tx.viewer!.userId,
        expiresAt: input.expiresAt ?? null,
        revokedAt: null,
        lastUsedAt: null,
      },
      { action: 'api_token.created' },
    );
    return { apiToken: token, secret };
  });
}

export function listApiTokens(ctx: Context, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(ApiToken, 't').where('t.organization_id = :org', { org: orgId(ctx) });
  return paginate(qb, page, [
    { column: 't.created_at', direction: 'DESC', value: (t) => t.createdAt },
    { column: 't.id', direction: 'DESC', value: (t) => t.id },
  ], listCursors(ctx, 'Query.apiTokens'));
}

export async function revokeApiToken(ctx: Context, input: { id: string }) {
  const id = input.id;
  return withTransaction(ctx, async (tx) => {
    const token = await tx.manager.findOne(ApiToken, {
      where: { id, organizationId: orgId(tx) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!token) throw notFound('ApiToken', toGlobalId('ApiToken', id));
    if (!token.revokedAt) {
      const before = { ...token };
      token.revokedAt = new Date();
      await tx.manager.save(token);
      await recordChange(tx, {
        action: 'api_token.revoked',
        entityType: 'ApiToken',
        entityId: token.id,
        before,
        after: token,
      });
    }
    return { apiToken: token };
  });
}
