import type { DataSource } from 'typeorm';
import type { Day } from '../src/common/periods';
import { seedBudgetDailySpend, seedBudgets } from './budgets';
import { demoCalendar } from './calendar';
import { seedCampaigns } from './campaigns';
import { seedIdentity } from './identity';
import { seedKpis } from './kpis';
import { seedOkrs } from './okrs';
import { seedSops } from './sops';
import { seedSquads } from './squads';
import { seedTasks } from './tasks';

/**
 * Loads the demo organisation, one seed per module (each writes its own module's tables; what it
 * needs of another module comes from that module's seed, which runs before it). Idempotent: rows
 * with the fixed ids are created once and never overwritten, so a user's changes to the demo
 * survive restarts. Returns whether it inserted.
 *
 * Its dates are relative to `today` (a UTC day, YYYY-MM-DD; the real date by default; see
 * seeds/calendar.ts): the current quarter's cycle and budgets, the month's sprint, a year of
 * weekly KPI history up to last week. The same `today` always loads the same data.
 */
export async function seedDemo(ds: DataSource, today?: Day): Promise<boolean> {
  const cal = demoCalendar(today);
  return ds.transaction(async (m) => {
    const inserted = await seedIdentity(m);
    await seedSquads(m, cal);
    await seedKpis(m, cal);
    await seedOkrs(m, cal);
    await seedTasks(m, cal);
    await seedBudgets(m, cal);
    await seedCampaigns(m, cal);
    // Derived from the budgets' expenses and the campaigns' tags of them: after both.
    await seedBudgetDailySpend(m);
    await seedSops(m, cal);
    return inserted;
  });
}
