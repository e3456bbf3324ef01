/**
 * The composition root of the modules: the one place where a lower module is told about a
 * higher one, through a hook the lower module exposes and the higher module fills (a key
 * result following a KPI, an expense tagged with a campaign). A module's own `index.ts` never
 * registers itself into another module: each wiring is one line here, run once, when the
 * entity or resolver lists are first imported (src/modules/entities.ts, src/modules/resolvers.ts),
 * so every process that reaches the data (server, seeds, CLI, tests, bench) has the same wiring.
 */
import { budgetsExport, expensesExport, setExpenseCampaignLink, spendExport } from './budgets';
import { campaignExpenseLink, campaignSearch, campaignsExport } from './campaigns';
import { registerExportSource } from './exports';
import { kpiSearch, kpiSeriesExport, onKpiLatestChanged } from './kpis';
import { followKpiLatest, keyResultSearch, keyResultsExport, objectiveSearch } from './okrs';
import { registerSearchSource } from './search';
import { sopSearch } from './sops';
import { taskSearch } from './tasks';

let composed = false;

/** Wires the modules' hooks; idempotent. */
export function composeModules(): void {
  if (composed) return;
  composed = true;
  onKpiLatestChanged(followKpiLatest); // key results following a KPI check in when its latest value changes
  setExpenseCampaignLink(campaignExpenseLink); // recordExpense(input: { campaignId }) tags the expense through the campaigns module
  // search(query:) finds each module's objects (one statement over all of them)
  registerSearchSource(objectiveSearch);
  registerSearchSource(keyResultSearch);
  registerSearchSource(kpiSearch);
  registerSearchSource(campaignSearch);
  registerSearchSource(sopSearch);
  registerSearchSource(taskSearch);
  // GET /export/<name>.csv|.xlsx (src/server/exports-route.ts) reads each module's lists
  registerExportSource(expensesExport);
  registerExportSource(budgetsExport);
  registerExportSource(spendExport);
  registerExportSource(keyResultsExport);
  registerExportSource(campaignsExport);
  registerExportSource(kpiSeriesExport);
}

composeModules();
