import { NodeResolver } from '../common/node.resolver';
import { auditResolvers } from './audit';
import { identityResolvers } from './identity';
import { realtimeResolvers } from './realtime';

/** Every resolver class of every module; the schema is built from this list. */
export const resolvers = [NodeResolver, ...identityResolvers, ...auditResolvers, ...realtimeResolvers] as const;
