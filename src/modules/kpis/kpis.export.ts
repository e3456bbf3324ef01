import { notFound } from '../../common/errors';
import type { ExportSource } from '../exports';

interface SeriesRow {
  kpi: { key: string; name: string; unit: string | null; aggregation: string };
  point: { periodStart: string; periodEnd: string; value: string | null; reason: string | null };
}

/** `GET /export/kpi-series.csv|.xlsx?key=…&grain=MONTH&from=…&to=…`: `Kpi.series` of `Query.kpi(key:)`, one row per bucket; `key` may be repeated (one KPI after another). */
export const kpiSeriesExport: ExportSource<SeriesRow> = {
  name: 'kpi-series',
  sheet: 'KPI series',
  document: `query ExportKpiSeries($key: String!, $grain: Grain!, $from: Date!, $to: Date!) {
    kpi(key: $key) {
      key name unit aggregation
      series(grain: $grain, from: $from, to: $to) { periodStart periodEnd value reason }
    }
  }`,
  each: 'key',
  read: (data, variables) => {
    if (!data.kpi) throw notFound('KPI with key', String(variables.key), 'key');
    const { series, ...kpi } = data.kpi;
    return { rows: (series as Array<SeriesRow['point']>).map((point) => ({ kpi, point })), after: null };
  },
  columns: [
    { header: 'KPI key', type: 'text', value: (r) => r.kpi.key },
    { header: 'KPI', type: 'text', value: (r) => r.kpi.name },
    { header: 'Unit', type: 'text', value: (r) => r.kpi.unit },
    { header: 'Aggregation', type: 'text', value: (r) => r.kpi.aggregation },
    { header: 'Period start', type: 'date', value: (r) => r.point.periodStart },
    { header: 'Period end', type: 'date', value: (r) => r.point.periodEnd },
    { header: 'Value', type: 'number', value: (r) => r.point.value },
    { header: 'Reason', type: 'text', value: (r) => r.point.reason },
  ],
};
