// Its plannable types and fields (the read planner).
import './identity.plan';
// The event types this module publishes (PlanningEventType).
import './identity.events';
import { ApiToken } from './api-token.entity';
import { AccountResolver } from './account.resolver';
import { ApiTokenResolver } from './api-token.resolver';
import { AuditEventActorResolver } from './audit-actor.resolver';
// The by-id loaders register Organization, User, Member and ApiToken for node(id:).
import './identity.loaders';
import { IdentityResolver, MemberResolver, OrganizationResolver, UserResolver, ViewerResolver } from './identity.resolver';
import { Invitation } from './invitation.entity';
import { Member } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

export { User } from './user.entity';
// For fields other modules add to the viewer (`Viewer.squads`, declared by squads).
export { Viewer } from './identity.types';
export { referencedUserById, memberByUserId } from './identity.loaders';
export { authenticate } from './authenticate';
export { flushTokenUsage } from './token-usage';
export { requireOrgUser } from './identity-access';
export { resolveJwtSecret } from './session-tokens';
export { closeLoginThrottle } from './login-throttle';
export { accountPagesRouter } from './account-pages';
// For the demo seed's users.
export { hashPassword } from './passwords';

export const identityEntities = [Organization, User, Member, Invitation, ApiToken];
export const identityResolvers = [IdentityResolver, ViewerResolver, OrganizationResolver, MemberResolver, UserResolver, ApiTokenResolver, AuditEventActorResolver, AccountResolver] as const;
