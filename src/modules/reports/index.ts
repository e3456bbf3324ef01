import { SquadWeeklyReportResolver } from './weekly-report.resolver';

export const reportsResolvers = [SquadWeeklyReportResolver] as const;
