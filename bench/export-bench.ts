/**
 * The `export` workload: 100,000 expenses of one budget (generated here, in one statement) exported
 * by `GET /export/expenses.csv` and `.xlsx` from the bench server, one download at a time. Reported:
 * the time to the last byte, the bytes, and the server's resident memory sampled every 20 ms during
 * the download (peak and growth over the RSS before it; the server is a separate process, so its
 * JavaScript heap is not visible here: the RSS bounds it).
 */
import fs from 'node:fs';
import { toGlobalId } from '../src/common/ids';

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>;

export const EXPORT_EXPENSES = 100_000;

/** A CNY budget of the bench organisation with one line and EXPORT_EXPENSES expenses over a year, Chinese vendors, references. Returns the budget's id. */
export async function generateExportLedger(sql: Sql, organizationId: string, squadId: string): Promise<string> {
  const [{ id: budgetId }] = await sql(
    `INSERT INTO budgets (organization_id, name, squad_id, period_start, period_end, currency, planned)
     VALUES ($1, '导出基准 Export bench', $2, '2026-01-01', '2026-12-31', 'CNY', 100000000) RETURNING id`,
    [organizationId, squadId],
  );
  const [{ id: lineId }] = await sql(
    `INSERT INTO budget_lines (organization_id, budget_id, name, category, kind, planned)
     VALUES ($1, $2, '投放 Media', 'media', 'VARIABLE', 100000000) RETURNING id`,
    [organizationId, budgetId],
  );
  await sql(
    `INSERT INTO expenses (organization_id, budget_id, budget_line_id, amount, incurred_on, vendor, reference, description, created_at)
     SELECT $1, $2, $3, ((g * 7919) % 100000) / 100.0 + 1, date '2026-01-01' + (g % 365), '供应商 ' || (g % 500) || ' Vendor',
            'INV-' || lpad(g::text, 6, '0'), CASE WHEN g % 10 = 0 THEN '说明, "含引号"' END, timestamp '2026-01-01' + g * interval '1 second'
       FROM generate_series(1, $4::int) g`,
    [organizationId, budgetId, lineId, EXPORT_EXPENSES],
  );
  await sql(`UPDATE budgets SET spent = (SELECT sum(amount) FROM expenses WHERE budget_id = $1) WHERE id = $1`, [budgetId]);
  await sql(`UPDATE budget_lines SET spent = (SELECT sum(amount) FROM expenses WHERE budget_line_id = $1) WHERE id = $1`, [lineId]);
  return budgetId;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export interface ExportFigures {
  format: 'csv' | 'xlsx';
  rows: number;
  seconds: number;
  megabytes: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssGrowthMiB: number;
}

/** Downloads the budget's expenses as `format` from `baseUrl` (the server's origin), sampling the server's RSS. */
export async function measureExport(baseUrl: string, token: string, serverPid: number, budgetId: string, format: 'csv' | 'xlsx'): Promise<ExportFigures> {
  const before = rssKiB(serverPid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKiB(serverPid));
  }, 20);
  const started = Date.now();
  let bytes = 0;
  let newlines = 0;
  try {
    const res = await fetch(`${baseUrl}/export/expenses.${format}?budgetIds=${encodeURIComponent(toGlobalId('Budget', budgetId))}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (format === 'csv') for (const b of chunk) if (b === 0x0a) newlines += 1;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (Date.now() - started) / 1000;
  peak = Math.max(peak, rssKiB(serverPid));
  return {
    format,
    rows: format === 'csv' ? newlines - 1 : NaN,
    seconds,
    megabytes: bytes / 1024 / 1024,
    rssBeforeMiB: before / 1024,
    rssPeakMiB: peak / 1024,
    rssGrowthMiB: (peak - before) / 1024,
  };
}

export function printExportFigures(figures: ExportFigures[]): void {
  console.log(`\n| export of ${EXPORT_EXPENSES.toLocaleString('en')} expenses | time | size | rows | server RSS before | peak | growth |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const f of figures) {
    console.log(
      `| ${f.format.toUpperCase()} | ${f.seconds.toFixed(1)} s | ${f.megabytes.toFixed(1)} MB | ${Number.isNaN(f.rows) ? '—' : f.rows} | ${f.rssBeforeMiB.toFixed(0)} MiB | ${f.rssPeakMiB.toFixed(0)} MiB | ${f.rssGrowthMiB.toFixed(0)} MiB |`,
    );
  }
}
