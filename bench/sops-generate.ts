/**
 * Bench data of the RACI/SOP module (deterministic, set-based like bench/generate.ts): SOPs of
 * the bench organisation owned by the bench squad's people, so that the lead (the caller of
 * every workload) has SOP items in `myWork` of every kind:
 * - every SOP has a published version 1 (published 0–59 days ago, reviewed every 30 days, so
 *   about half are overdue); one in ten is owned by the lead;
 * - half have a RACI matrix of three activities (the lead holds a role in every second one); the
 *   others ask the owner's squad, which is the lead's;
 * - the lead acknowledged one in three;
 * - one in seven has version 2 in review, written by its owner (the lead may approve it).
 */

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>;

/** SOPs of the bench organisation. */
export const BENCH_SOPS = 300;

export async function generateSops(sql: Sql, seed: string, org: string, members: number, sops = BENCH_SOPS): Promise<void> {
  const p = [seed, org, sops, members];
  const id = (label: string, n = 'g') => `md5($1 || ':${label}:' || ${n})::uuid`;
  const owner = `CASE WHEN g % 10 = 0 THEN md5($1 || ':user:0')::uuid ELSE md5($1 || ':user:' || (1 + g % ($4::int - 1)))::uuid END`;
  await sql(
    `INSERT INTO raci_matrices (id, organization_id, name, version, created_at)
     SELECT ${id('raci')}, $2, '流程 ' || g || ' RACI', 1, timestamp '2026-01-06' + g * interval '1 second'
       FROM generate_series(1, $3::int) g WHERE g % 2 = 0 AND $4::int > 0`,
    p,
  );
  await sql(
    `INSERT INTO raci_activities (id, organization_id, matrix_id, name, created_at)
     SELECT ${id('activity', "g || ':' || a")}, $2, ${id('raci')}, (ARRAY['平台流量','KOL 合作','用户激励'])[a], timestamp '2026-01-06' + g * interval '1 second' + a * interval '1 ms'
       FROM generate_series(1, $3::int) g, generate_series(1, 3) a WHERE g % 2 = 0 AND $4::int > 0`,
    p,
  );
  // Each activity: the owner ACCOUNTABLE, another member RESPONSIBLE, and in every second matrix the lead CONSULTED.
  await sql(
    `INSERT INTO raci_assignments (organization_id, matrix_id, activity_id, user_id, role, created_at)
     SELECT $2, ${id('raci')}, ${id('activity', "g || ':' || a")}, x.user_id, x.role, timestamp '2026-01-07' + g * interval '1 second'
       FROM generate_series(1, $3::int) g, generate_series(1, 3) a,
            LATERAL (SELECT ${owner} AS user_id, 'ACCOUNTABLE' AS role
                     UNION ALL SELECT md5($1 || ':user:' || (2 + (g + a) % ($4::int - 2)))::uuid, 'RESPONSIBLE'
                     UNION ALL SELECT md5($1 || ':user:0')::uuid, 'CONSULTED' WHERE g % 4 = 0) x
      WHERE g % 2 = 0
      ON CONFLICT (activity_id, user_id) DO NOTHING`,
    p,
  );
  await sql(
    `INSERT INTO sops (id, organization_id, title, purpose, scope, owner_id, review_every_days, raci_matrix_id, status,
                       review_due_on, version, created_at)
     SELECT ${id('sop')}, $2, 'SOP ' || g || '：用户投诉处理', '及时处理用户投诉', '所有线上渠道', ${owner}, 30,
            CASE WHEN g % 2 = 0 THEN ${id('raci')} END, CASE WHEN g % 7 = 0 THEN 'IN_REVIEW' ELSE 'PUBLISHED' END,
            ((now() AT TIME ZONE 'UTC')::date - (g % 60)) + 30, 3, timestamp '2026-01-08' + g * interval '1 second'
       FROM generate_series(1, $3::int) g`,
    p,
  );
  await sql(
    `INSERT INTO sop_versions (id, organization_id, sop_id, number, notes, change_note, author_id, approved_by_id, submitted_at, published_at, created_at)
     SELECT ${id('sop-v1')}, $2, ${id('sop')}, 1, '注意事项 ' || g, '初版', ${owner}, md5($1 || ':user:1')::uuid,
            now() - (g % 60) * interval '1 day', now() - (g % 60) * interval '1 day', now() - (g % 60) * interval '1 day'
       FROM generate_series(1, $3::int) g`,
    p,
  );
  await sql(
    `INSERT INTO sop_versions (id, organization_id, sop_id, number, change_note, author_id, submitted_at, created_at)
     SELECT ${id('sop-v2')}, $2, ${id('sop')}, 2, '第二版', ${owner}, now() - (g % 5) * interval '1 day', now() - (g % 5) * interval '1 day'
       FROM generate_series(1, $3::int) g WHERE g % 7 = 0`,
    p,
  );
  await sql(
    `INSERT INTO sop_steps (organization_id, sop_id, version_id, position, title, instructions, role, quality_standard, duration_minutes)
     SELECT $2, ${id('sop')}, ${id('sop-v1')}, s, (ARRAY['受理投诉','调查核实','处理与答复','回访归档'])[s], '操作说明 ' || s, '客服专员', '24小时内响应', 30
       FROM generate_series(1, $3::int) g, generate_series(1, 4) s`,
    p.slice(0, 3),
  );
  await sql(
    `UPDATE sops s SET current_version_id = md5($1 || ':sop-v1:' || g)::uuid,
                       draft_version_id = CASE WHEN g % 7 = 0 THEN md5($1 || ':sop-v2:' || g)::uuid END
       FROM generate_series(1, $3::int) g WHERE s.id = md5($1 || ':sop:' || g)::uuid AND s.organization_id = $2`,
    p.slice(0, 3),
  );
  await sql(
    `INSERT INTO sop_acknowledgements (organization_id, sop_id, version_id, version_number, user_id, acknowledged_at)
     SELECT $2, ${id('sop')}, ${id('sop-v1')}, 1, md5($1 || ':user:0')::uuid, now() - (g % 30) * interval '1 day'
       FROM generate_series(1, $3::int) g WHERE g % 3 = 0`,
    p.slice(0, 3),
  );
}
