export {
  definePlannable,
  definePlannedRoot,
  extendPlannable,
  plannableDeclarations,
  plannableType,
  plannedRoot,
  type PlanEnv,
  type PlanField,
  type PlanRoot,
  type PlanType,
} from './declarations';
export { compilePlan, type CompiledPlan, type PlanRequest } from './compile';
export { dateSql, dateTimeSql, decimalSql, floatSql, globalIdSql } from './sql';
