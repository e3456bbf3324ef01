import { registerTenancy } from '../registry';

const SECTIONS = `cycle { id } squad { id } okrs { objectiveCount atRiskKeyResults { id title } } kpis { kpiCount openAlertCount }
  budgets { currency planned spent } liveCampaigns { count best { campaign { id name } } } overdueTasks { count first { id title } }`;

/** Overviews: no rows of their own; they sum up the rows of the modules before them (A's cycle, squad, ...). */
registerTenancy(
  null,
  {
    'Query.organizationOverview': {
      operation: (a) => ({ query: `query($c: ID) { organizationOverview(cycleId: $c) { ${SECTIONS} } }`, variables: { c: a.ids.cycle } }),
      expect: 'NOT_FOUND',
    },
    'Query.squadOverview': {
      operation: (a) => ({ query: `query($s: ID!) { squadOverview(squadId: $s) { ${SECTIONS} } }`, variables: { s: a.ids.squad } }),
      expect: 'NOT_FOUND',
    },
  },
  {
    'OkrSummary.byStatus': { exempt: 'counts computed in the summary’s statement, filtered by the organisation (tests/integration/overviews)' },
    'OkrSummary.atRiskKeyResults': {
      exempt: 'read in the summary’s statement, which filters key results and objectives by the organisation; Squad.okrSummary(cycleId) of another organisation’s cycle is NOT_FOUND (tests/integration/overviews)',
    },
    'KpiOverview.byLevel': { exempt: 'counts computed in one statement filtered by the organisation' },
    'Overview.budgets': { exempt: 'sums computed in one statement filtered by the organisation; the root fields have their cases' },
    'OverdueTasks.first': { exempt: 'read in one statement filtered by the organisation; the root fields have their cases' },
  },
);
