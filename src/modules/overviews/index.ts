import { OverviewResolver } from './overviews.resolver';

/** Overviews read every other module through its index; they own no table. */
export const overviewsResolvers = [OverviewResolver] as const;
