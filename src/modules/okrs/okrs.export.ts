import { connectionPage, type ExportSource } from '../exports';

interface KeyResultRow {
  objective: { id: string; title: string; status: string; cycle: { name: string }; squad: { name: string } | null };
  kr: {
    id: string;
    title: string;
    kind: string;
    unit: string | null;
    startValue: string;
    targetValue: string;
    currentValue: string;
    progress: number;
    confidence: number | null;
    status: string;
    lastCheckInAt: string | null;
    owner: { displayName: string };
  };
}

/** `GET /export/key-results.csv|.xlsx`: every key result with its objective, by `Query.objectives` (its filter's fields as query parameters: cycleId, squadId, ownerId, status, archived). */
export const keyResultsExport: ExportSource<KeyResultRow> = {
  name: 'key-results',
  sheet: 'Key results',
  document: `query ExportKeyResults($filter: ObjectivesFilter, $first: Int, $after: String) {
    objectives(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id title status cycle { name } squad { name }
        keyResults { id title kind unit startValue targetValue currentValue progress confidence status lastCheckInAt owner { displayName } }
      } }
    }
  }`,
  filterVariable: 'filter',
  read: (data) => {
    const { nodes, after } = connectionPage<KeyResultRow['objective'] & { keyResults: Array<KeyResultRow['kr']> }>(data.objectives);
    return { rows: nodes.flatMap(({ keyResults, ...objective }) => keyResults.map((kr) => ({ objective, kr }))), after };
  },
  columns: [
    { header: 'Cycle', type: 'text', value: (r) => r.objective.cycle.name },
    { header: 'Objective', type: 'text', value: (r) => r.objective.title },
    { header: 'Objective status', type: 'text', value: (r) => r.objective.status },
    { header: 'Squad', type: 'text', value: (r) => r.objective.squad?.name },
    { header: 'Key result', type: 'text', value: (r) => r.kr.title },
    { header: 'Owner', type: 'text', value: (r) => r.kr.owner.displayName },
    { header: 'Kind', type: 'text', value: (r) => r.kr.kind },
    { header: 'Unit', type: 'text', value: (r) => r.kr.unit },
    { header: 'Start value', type: 'number', value: (r) => r.kr.startValue },
    { header: 'Target value', type: 'number', value: (r) => r.kr.targetValue },
    { header: 'Current value', type: 'number', value: (r) => r.kr.currentValue },
    { header: 'Progress', type: 'number', value: (r) => r.kr.progress },
    { header: 'Confidence', type: 'number', value: (r) => r.kr.confidence },
    { header: 'Status', type: 'text', value: (r) => r.kr.status },
    { header: 'Last check-in at', type: 'datetime', value: (r) => r.kr.lastCheckInAt },
    { header: 'Objective id', type: 'text', value: (r) => r.objective.id },
    { header: 'Key result id', type: 'text', value: (r) => r.kr.id },
  ],
};
