import { orgId } from '../../common/auth';
import { ApiTokenScope, Role, type Context } from '../../common/context';
import { paginate, type ConnectionArgs } from '../../common/connection';
import { AppError, badInput, ErrorCode, notFound } from '../../common/errors';
import { toGlobalId } from '../../common/ids';
import { lockById, lockIds } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateWhere } from '../audit';
import { ApiToken } from './api-token.entity';
import { API_TOKEN_PREFIX } from './authenticate';
import { Organization } from './organization.entity';
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
    // The organisation's row, locked against other token creations (not against its other
    // writes), so that tokens created at the same time count each other.
    await lockIds(tx, Organization, [orgId(tx)], { mode: 'NO KEY UPDATE' });
    const [{ n }]: Array<{ n: number }> = await tx.manager.query(
      `SELECT count(*)::int AS n FROM api_tokens
        WHERE organization_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [orgId(tx)],
    );
    const max = tx.config.apiTokensMaxPerOrganization;
    if (n >= max) {
      throw new AppError(
        ErrorCode.TOO_MANY_API_TOKENS,
        `This organisation already has ${n} active API tokens, at most ${max} (API_TOKENS_MAX_PER_ORGANIZATION): revoke one it no longer needs first`,
        { max },
      );
    }
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
  return paginate(ctx, qb, page, [
    { column: 't.created_at', direction: 'DESC', value: (t) => t.createdAt },
    { column: 't.id', direction: 'DESC', value: (t) => t.id },
  ], 'Query.apiTokens');
}

export async function revokeApiToken(ctx: Context, input: { id: string }) {
  return withTransaction(ctx, async (tx) => {
    const token = await lockById(tx, ApiToken, input.id, { field: 'id' });
    if (token.revokedAt) return { apiToken: token };
    // Locked above: no condition beyond the row.
    const apiToken = await updateWhere(tx, ApiToken, token, null, { revokedAt: new Date() }, {
      action: 'api_token.revoked',
      unmet: () => notFound('ApiToken', toGlobalId('ApiToken', token.id)),
    });
    return { apiToken };
  });
}
