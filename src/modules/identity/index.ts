import { nullOnError } from '../../common/loaders';
import { registerNodeType } from '../../common/node';
import { ApiToken } from './api-token.entity';
import { ApiTokenResolver } from './api-token.resolver';
import { apiTokenById, memberById, organizationById, userById } from './identity.loaders';
import { IdentityResolver, MemberResolver, OrganizationResolver, UserResolver, ViewerResolver } from './identity.resolver';
import { Invitation } from './invitation.entity';
import { Member } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

export { Member, MemberStatus } from './member.entity';
export { Organization } from './organization.entity';
export { User } from './user.entity';
export { ApiToken } from './api-token.entity';
export { userById, referencedUserById, memberById, organizationById, memberByUserId } from './identity.loaders';
export { authenticate } from './authenticate';
export { requireOrgUser } from './member-lookup';
export { resolveJwtSecret } from './session-tokens';
export { closeLoginThrottle } from './login-throttle';

export const identityEntities = [Organization, User, Member, Invitation, ApiToken];
export const identityResolvers = [IdentityResolver, ViewerResolver, OrganizationResolver, MemberResolver, UserResolver, ApiTokenResolver] as const;

registerNodeType('Organization', (ctx, ids) => organizationById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('User', (ctx, ids) => userById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('Member', (ctx, ids) => memberById(ctx).loadMany(ids).then(nullOnError));
registerNodeType('ApiToken', (ctx, ids) => apiTokenById(ctx).loadMany(ids).then(nullOnError));
