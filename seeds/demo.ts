import type { DataSource } from 'typeorm';
import { hashPassword } from '../src/modules/identity/passwords';
import { DEMO } from './ids';
import { seedPlan } from './plan';
import { seedKpis } from './kpis';
import { seedBudgets } from './budgets';
import { seedCampaigns } from './campaigns';
import { seedSops } from './sops';
import { sqlOf, storeOrganizationProgress } from '../src/modules/okrs/okr-progress-store';

const ROLES: Record<keyof typeof DEMO.users, string> = {
  owner: 'OWNER',
  finance: 'FINANCE',
  lead: 'SQUAD_LEAD',
  member: 'MEMBER',
  viewer: 'VIEWER',
};

/**
 * Loads the demo organisation. Idempotent: rows with the fixed ids are created once and never
 * overwritten, so a user's changes to the demo survive restarts. Returns whether it inserted.
 */
export async function seedDemo(ds: DataSource): Promise<boolean> {
  return ds.transaction(async (m) => {
    const inserted = await m.query(
      `INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
      [DEMO.organizationId, '示例运营团队 Demo Ops', DEMO.organizationSlug],
    );
    const hash = await hashPassword(DEMO.password);
    for (const [key, u] of Object.entries(DEMO.users) as Array<[keyof typeof DEMO.users, (typeof DEMO.users)[keyof typeof DEMO.users]]>) {
      // Demo users' addresses are verified (they receive no mail), also in databases seeded before verification existed.
      await m.query(
        `INSERT INTO users (id, email, display_name, password_hash, email_verified_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT DO NOTHING`,
        [u.id, u.email, u.name, hash],
      );
      await m.query(`UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL`, [u.id]);
      await m.query(
        `INSERT INTO members (organization_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [DEMO.organizationId, u.id, ROLES[key]],
      );
    }
    await seedPlan(m);
    await seedKpis(m);
    await seedBudgets(m);
    await seedCampaigns(m);
    await seedSops(m);
    // The plan is inserted as rows: its stored OKR progress and status are computed once here.
    await storeOrganizationProgress(sqlOf(m), DEMO.organizationId);
    return inserted.length > 0;
  });
}
