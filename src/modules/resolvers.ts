import { NodeResolver } from '../common/node.resolver';
import { auditResolvers } from './audit';
import { identityResolvers } from './identity';

/** Every resolver class of every module; the schema is built from this list. */
export const resolvers = [NodeResolver, ...identityResolvers, ...auditResolvers] as const;
