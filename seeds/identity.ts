import type { EntityManager } from 'typeorm';
import { hashPassword } from '../src/modules/identity';
import { DEMO } from './ids';

/**
 * The demo organisation, its five users (one per role; password DEMO.password) and their
 * memberships. Returns whether the organisation was inserted (false: the demo was there).
 */
export async function seedIdentity(m: EntityManager): Promise<boolean> {
  const inserted = await m.query(
    `INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
    [DEMO.organizationId, '示例运营团队 Demo Ops', DEMO.organizationSlug],
  );
  const hash = await hashPassword(DEMO.password);
  for (const u of Object.values(DEMO.users)) {
    // Demo users' addresses are verified (they receive no mail), also in databases seeded before verification existed.
    await m.query(
      `INSERT INTO users (id, email, display_name, password_hash, email_verified_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT DO NOTHING`,
      [u.id, u.email, u.name, hash],
    );
    await m.query(`UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL`, [u.id]);
    await m.query(
      `INSERT INTO members (organization_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [DEMO.organizationId, u.id, u.role],
    );
  }
  return inserted.length > 0;
}
