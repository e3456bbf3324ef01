import './composition';
import { NodeResolver } from '../common/node.resolver';
import { auditResolvers } from './audit';
import { budgetsResolvers } from './budgets';
import { campaignsResolvers } from './campaigns';
import { identityResolvers } from './identity';
import { impactResolvers } from './impact';
import { kpisResolvers } from './kpis';
import { okrsResolvers } from './okrs';
import { realtimeResolvers } from './realtime';
import { squadsResolvers } from './squads';
import { tasksResolvers } from './tasks';
import { workResolvers } from './work';
import { sopsResolvers } from './sops';
import { overviewsResolvers } from './overviews';
import { searchResolvers } from './search';
import { reportsResolvers } from './reports';

/** Every resolver class of every module; the schema is built from this list. */
export const resolvers = [
  NodeResolver,
  ...identityResolvers,
  ...auditResolvers,
  ...realtimeResolvers,
  ...squadsResolvers,
  ...okrsResolvers,
  ...tasksResolvers,
  ...workResolvers,
  ...kpisResolvers,
  ...budgetsResolvers,
  ...campaignsResolvers,
  ...sopsResolvers,
  ...overviewsResolvers,
  ...impactResolvers,
  ...searchResolvers,
  ...reportsResolvers,
] as const;
