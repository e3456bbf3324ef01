import { WorkResolver } from './work.resolver';

export {
  afterCondition,
  registerWorkSource,
  type WorkCursor,
  type WorkItemData,
  type WorkKind,
  type WorkSource,
} from './work.registry';
export { defineSqlWorkSource, defineWorkSource, type SqlWorkSourceSpec, type WorkKinds, type WorkSourceSpec } from './work-sources';
export { WORK_KIND_RANKS, workRank, type WorkKindName } from './work-ranks';
export const workResolvers = [WorkResolver] as const;
