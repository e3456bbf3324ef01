// Impact lineage: reads of the planning modules through their front doors; no tables of its own.
import { ImpactResolver } from './impact.resolver';

export const impactResolvers = [ImpactResolver] as const;
