import { WorkResolver } from './work.resolver';

export {
  afterCondition,
  registerWorkSource,
  type WorkCursor,
  type WorkItemData,
  type WorkKind,
  type WorkSource,
} from './work.registry';
export const workResolvers = [WorkResolver] as const;
