import type { GraphQLResolveInfo } from 'graphql';
import type { AuthCheckerFn } from 'type-graphql';
import { ApiTokenScope, Role, type Context } from './context';
import { forbidden, unauthenticated } from './errors';

/**
 * Permission rules, deny by default. Every root field carries `@Authorized(...)`:
 * - `@Authorized(PUBLIC)`: anyone, signed in or not (sign up, log in).
 * - `@Authorized(SIGNED_IN)`: any signed-in user, even with no organisation selected.
 * - `@Authorized()`: any member of the organisation the request acts in.
 * - `@Authorized(Role.OWNER, Role.ADMIN, ...)`: members with one of these roles.
 * - `USER_SESSION` with roles: as above, and refused to API tokens (managing members, tokens).
 * Services add per-object checks with src/common/access.ts (`requireRole`, `canManage`: a squad
 * lead manages only the squads they lead).
 * Whatever the roles, a VIEWER or a READ-only API token never runs a mutation.
 */
export const PUBLIC = 'PUBLIC';
export const SIGNED_IN = 'SIGNED_IN';
export const USER_SESSION = 'USER_SESSION';

// The named role sets and the "may manage" rule live in access.ts; these stay importable from here.
export { ADMINS, WRITERS, isAdmin } from './access';

function isMutation(info: GraphQLResolveInfo): boolean {
  return info.parentType.name === 'Mutation';
}

export const authChecker: AuthCheckerFn<Context, string> = ({ context, info }, roles) => {
  if (roles.includes(PUBLIC)) return true;
  const viewer = context.viewer;
  if (!viewer) throw unauthenticated(context.authError ?? undefined);
  if (roles.includes(USER_SESSION) && viewer.kind !== 'user') {
    throw forbidden('This operation needs a signed-in user; API tokens cannot call it');
  }
  if (roles.includes(SIGNED_IN)) return true;
  if (!context.organizationId || !context.role) {
    // Authentication says why no organisation was chosen (a header naming one the caller is not
    // a member of, no membership at all, or several to choose from).
    throw forbidden(
      context.authError ?? 'No organisation selected: you belong to several, so send the X-Organization-Id header (id or slug)',
    );
  }
  if (isMutation(info)) {
    if (viewer.kind === 'apiToken' && !viewer.scopes.includes(ApiTokenScope.WRITE)) {
      throw forbidden('This API token is read-only (scope READ) and cannot change anything');
    }
    if (context.role === Role.VIEWER) throw forbidden('Viewers can read but not change anything');
  }
  const required = roles.filter((r) => r !== USER_SESSION);
  if (required.length > 0 && !required.includes(context.role)) {
    throw forbidden(`This needs one of the roles ${required.join(', ')}; you are ${context.role}`);
  }
  return true;
};

/** The organisation the request acts in; services call it before any tenant-owned query. */
export function orgId(ctx: Context): string {
  if (!ctx.organizationId) throw forbidden('No organisation selected');
  return ctx.organizationId;
}
