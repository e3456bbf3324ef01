/**
 * The OKR services, one file per aggregate: cycles, objectives, key results (with their
 * check-ins). Shared lookups, permissions and locks are in okr-access.ts.
 */
export { MAX_KEY_RESULTS, requireCycle, requireKeyResult, requireObjective } from './okr-access';
export * from './cycles.service';
export * from './objectives.service';
export * from './key-results.service';
