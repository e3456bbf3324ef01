import type { DataSource } from 'typeorm';
import { seedBudgets } from './budgets';
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
 */
export async function seedDemo(ds: DataSource): Promise<boolean> {
  return ds.transaction(async (m) => {
    const inserted = await seedIdentity(m);
    await seedSquads(m);
    await seedKpis(m);
    await seedOkrs(m);
    await seedTasks(m);
    await seedBudgets(m);
    await seedCampaigns(m);
    await seedSops(m);
    return inserted;
  });
}
