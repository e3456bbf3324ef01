import type { EntityManager } from 'typeorm';
import { ApiTokenScope, Role, type Viewer } from '../../common/context';
import { decodeGlobalId } from '../../common/ids';
import { queryStatement } from '../../common/statements';
import { hashSecret } from './secrets';
import { verifySession, type SessionSettings } from './session-tokens';
import { noteTokenUse } from './token-usage';

export interface Authentication {
  viewer: Viewer | null;
  organizationId: string | null;
  role: Role | null;
  /** Why credentials were refused, or why no organisation could be chosen. */
  authError: string | null;
}

const ANONYMOUS: Authentication = { viewer: null, organizationId: null, role: null, authError: null };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const API_TOKEN_PREFIX = 'pgt_';

/**
 * Resolves the caller from `Authorization: Bearer <token>` (a session JWT or an API token) and
 * the organisation from `X-Organization-Id` (id, global id or slug). Used for HTTP requests,
 * graphql-ws connections, and again for every subscription event (so a revoked token stops).
 */
export async function authenticate(
  manager: EntityManager,
  sessions: SessionSettings,
  authorization: string | null | undefined,
  organizationHint: string | null | undefined,
): Promise<Authentication> {
  if (!authorization) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) return { ...ANONYMOUS, authError: 'Authorization must be "Bearer <token>"' };
  const token = match[1];
  if (token.startsWith(API_TOKEN_PREFIX)) return authenticateApiToken(manager, token);

  const session = verifySession(sessions, token);
  if ('error' in session) return { ...ANONYMOUS, authError: session.error };
  const rows = await queryStatement<{ organization_id: string; slug: string; role: Role; ended_everywhere: boolean; revoked: boolean }>(
    manager,
      `SELECT m.organization_id, o.slug, m.role,
              coalesce(u.sessions_valid_after > to_timestamp($2::float8 / 1000), false) AS ended_everywhere,
              EXISTS (SELECT 1 FROM revoked_sessions r WHERE r.jti = $3) AS revoked
         FROM users u
         LEFT JOIN members m ON m.user_id = u.id AND m.status = 'ACTIVE'
         LEFT JOIN organizations o ON o.id = m.organization_id
        WHERE u.id = $1
        ORDER BY m.created_at`,
    [session.userId, session.issuedAtMs, session.sessionId],
  );
  if (rows.length === 0) return { ...ANONYMOUS, authError: 'The account of this session no longer exists' };
  if (rows[0].revoked) return { ...ANONYMOUS, authError: 'This session has been logged out; sign in again' };
  if (rows[0].ended_everywhere) {
    return { ...ANONYMOUS, authError: 'This session was ended by logging out everywhere or a password change; sign in again' };
  }
  const viewer: Viewer = { kind: 'user', userId: session.userId, apiTokenId: null, scopes: [] };
  const memberships = rows.filter((r) => r.organization_id !== null);
  let chosen: (typeof memberships)[number] | undefined;
  let authError: string | null = null;
  const hint = organizationHint?.trim();
  if (hint) {
    const id = UUID.test(hint) ? hint.toLowerCase() : decodeGlobalId(hint)?.id;
    chosen = memberships.find((m) => m.organization_id === id || m.slug === hint);
    if (!chosen) authError = `You are not a member of organisation "${hint.slice(0, 80)}"`;
  } else if (memberships.length === 1) {
    chosen = memberships[0];
  } else if (memberships.length > 1) {
    authError = 'You belong to several organisations: send X-Organization-Id (id or slug) to choose one';
  } else {
    authError = 'You are not a member of any organisation';
  }
  return {
    viewer,
    organizationId: chosen?.organization_id ?? null,
    role: chosen?.role ?? null,
    authError,
  };
}

/**
 * What an API token may do: the lower of its scope and its creator's CURRENT role. A READ token
 * reads as a VIEWER at most; a WRITE token acts with the creator's role, capped at ADMIN (and,
 * being no user session, never manages members or tokens). Null when the creator is no longer
 * an active member: their tokens end with their membership.
 */
export function apiTokenRole(scopes: ApiTokenScope[], creatorRole: Role | null): Role | null {
  if (!creatorRole) return null;
  if (!scopes.includes(ApiTokenScope.WRITE)) return Role.VIEWER;
  return creatorRole === Role.OWNER ? Role.ADMIN : creatorRole;
}

async function authenticateApiToken(manager: EntityManager, token: string): Promise<Authentication> {
  // One statement: the token and its creator's current membership in the token's organisation.
  const rows = await queryStatement<{
    id: string;
    organization_id: string;
    scopes: ApiTokenScope[];
    created_by: string;
    expires_at: Date | null;
    revoked_at: Date | null;
    stale: boolean;
    creator_role: Role | null;
  }>(
    manager,
    `SELECT t.id, t.organization_id, t.scopes, t.created_by, t.expires_at, t.revoked_at,
            (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale,
            m.role AS creator_role
       FROM api_tokens t
       LEFT JOIN members m
              ON m.organization_id = t.organization_id AND m.user_id = t.created_by AND m.status = 'ACTIVE'
      WHERE t.token_hash = $1`,
    [hashSecret(token)],
  );
  const t = rows[0];
  if (!t) return { ...ANONYMOUS, authError: 'This API token is not valid' };
  if (t.revoked_at) return { ...ANONYMOUS, authError: 'This API token has been revoked' };
  if (t.expires_at && t.expires_at.getTime() <= Date.now()) {
    return { ...ANONYMOUS, authError: 'This API token has expired' };
  }
  const role = apiTokenRole(t.scopes, t.creator_role);
  if (!role) {
    return {
      ...ANONYMOUS,
      authError: 'This API token ended when its creator left the organisation; ask an admin for a new one',
    };
  }
  // Recorded at most about once a minute, written in batches off the request's path.
  if (t.stale) noteTokenUse(manager.connection, t.id);
  return {
    viewer: { kind: 'apiToken', userId: t.created_by, apiTokenId: t.id, scopes: t.scopes },
    organizationId: t.organization_id,
    role,
    authError: null,
  };
}
