import { WorkResolver } from './work.resolver';

export { registerWorkSource } from './work.registry';
export { defineWorkSource } from './work-sources';
export const workResolvers = [WorkResolver] as const;
