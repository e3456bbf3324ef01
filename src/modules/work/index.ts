import { WorkResolver } from './work.resolver';

export { registerWorkSource } from './work.registry';
export { defineSqlWorkSource, defineWorkSource } from './work-sources';
export { workRank } from './work-ranks';
export const workResolvers = [WorkResolver] as const;
