import { SQUAD, generate } from '../../../bench/generate';
import { generateSops } from '../../../bench/sops-generate';
import { toGlobalId } from '../../../src/common/ids';
import { signSession } from '../../../src/modules/identity/session-tokens';
import { ok, startTestApp, type Caller, type TestApp } from '../../support/test-app';

/**
 * `myWork` over a world with items of every module and kind (the bench's squad: open tasks due
 * and overdue, key results waiting for a check-in, SOP acknowledgements, overdue reviews and
 * approvals, completed campaigns awaiting their review; plus KPI alerts and pending budget
 * adjustments), for callers of several roles. The whole answer (kinds, reasons, due days,
 * subjects' fields, cursors, page info, totals) is compared with a snapshot recorded from the
 * statement-per-source implementation, its days written relative to today; every page size
 * gives the same items and cursors as the full list; and the page costs a fixed number of
 * statements, whatever its size.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const MY_WORK = `query($first: Int, $after: String) { myWork(first: $first, after: $after) {
  totalCount
  edges { cursor node { kind reason dueOn subject { id __typename
    ... on Task { title taskStatus: status taskDue: dueOn version }
    ... on KeyResult { title lastCheckInAt version }
    ... on Sop { title sopStatus: status reviewDueOn version }
    ... on KpiAlert { level message alertStatus: status value periodStart }
    ... on BudgetAdjustment { amount fastTrack dueAt adjustmentStatus: status }
    ... on Campaign { name campaignStatus: status endsOn }
  } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

/** The list alone: items, reasons, subjects' ids, cursors and count. */
const MY_WORK_LIST = `query($first: Int, $after: String) { myWork(first: $first, after: $after) {
  totalCount edges { cursor node { kind reason dueOn subject { id } } } pageInfo { hasNextPage endCursor } } }`;

const DAY = 86_400_000;
const today = () => new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();

/** Days and instants written relative to today (`D-3`, `D+2T…`), so that the snapshot holds on any day. */
function relative(value: unknown): unknown {
  const text = JSON.stringify(value).replace(/(\d{4}-\d{2}-\d{2})(T[0-9:.]+Z)?/g, (_m, d: string, t?: string) => {
    const offset = Math.round((Date.parse(`${d}T00:00:00Z`) - today()) / DAY);
    return `D${offset >= 0 ? '+' : ''}${offset}${t ? 'T…' : ''}`;
  });
  return JSON.parse(text);
}

async function world() {
  const sql = (text: string, params: unknown[] = []) => app.ds.query(text, params);
  const ids = await generate(sql, 'my-work-equivalence', { ...SQUAD, objectives: 4, tasks: 40 });
  await generateSops(sql, 'my-work-equivalence', ids.organizationId, SQUAD.members, 40);
  const org = ids.organizationId;
  const user = async (n: number) => (await sql(`SELECT md5($1 || ':user:' || $2::int)::uuid AS id`, ['my-work-equivalence', n]))[0].id as string;
  const [lead, owner, member, viewer] = [ids.leadId, await user(1), await user(2), await user(3)];
  // Key results waiting for a check-in: three of the lead's and one of the member's, last checked in 8–11 days ago.
  await sql(
    `UPDATE key_results k SET last_check_in_at = (now() AT TIME ZONE 'UTC')::date - 8 - x.n + interval '10 hours', owner_id = x.owner
       FROM (SELECT id, row_number() OVER (ORDER BY id)::int AS n, CASE WHEN row_number() OVER (ORDER BY id) = 4 THEN $3::uuid ELSE $2::uuid END AS owner
               FROM key_results WHERE organization_id = $1 ORDER BY id LIMIT 4) x
      WHERE k.id = x.id AND k.organization_id = $1`,
    [org, lead, member],
  );
  // Archived subjects are no one's work: an SOP of the lead's with its review overdue, and a fifth stale key result.
  await sql(
    `UPDATE sops SET archived_at = now() WHERE id = (SELECT id FROM sops WHERE organization_id = $1 AND owner_id = $2
        AND review_due_on < (now() AT TIME ZONE 'UTC')::date ORDER BY id LIMIT 1)`,
    [org, lead],
  );
  await sql(
    `UPDATE key_results SET last_check_in_at = now() - interval '20 days', owner_id = $2, archived_at = now()
      WHERE id = (SELECT id FROM key_results WHERE organization_id = $1 ORDER BY id OFFSET 4 LIMIT 1)`,
    [org, lead],
  );
  await sql(`UPDATE members SET role = 'VIEWER' WHERE organization_id = $1 AND user_id = $2`, [org, viewer]);
  // KPI alerts: open ones of the lead's and the owner's KPIs, one acknowledged (not work).
  const kpi = async (key: string, ownerId: string) =>
    (
      await sql(
        `INSERT INTO kpis (organization_id, key, name, layer, direction, aggregation, owner_id)
         VALUES ($1, $2::text, $2::text, 'TACTICAL', 'LOWER_IS_BETTER', 'AVERAGE', $3) RETURNING id`,
        [org, key, ownerId],
      )
    )[0].id as string;
  const leadKpi = await kpi('refund_rate', lead);
  const ownerKpi = await kpi('churn_rate', owner);
  const alerts: Array<[string, string, number, string, string]> = [
    ['00000000-0000-4000-8000-00000000a001', leadKpi, 3, 'CRITICAL', 'OPEN'],
    ['00000000-0000-4000-8000-00000000a002', leadKpi, 0, 'WARNING', 'OPEN'],
    ['ffffffff-0000-4000-8000-00000000a003', leadKpi, 10, 'WARNING', 'OPEN'],
    ['00000000-0000-4000-8000-00000000a004', leadKpi, 5, 'WARNING', 'ACKNOWLEDGED'],
    ['00000000-0000-4000-8000-00000000a005', ownerKpi, 2, 'CRITICAL', 'OPEN'],
  ];
  for (const [id, kpiId, daysAgo, level, status] of alerts) {
    await sql(
      `INSERT INTO kpi_alerts (id, organization_id, kpi_id, period_start, level, value, message, status, created_at)
       VALUES ($1, $2, $3, (now() AT TIME ZONE 'UTC')::date - $4::int, $5, 0.25, 'rate 0.25 above 0.1', $6,
               ((now() AT TIME ZONE 'UTC')::date - $4::int) + interval '12 hours')`,
      [id, org, kpiId, daysAgo, level, status],
    );
  }
  // Pending adjustments of the bench budget: requested by the lead (the owner decides) and by the owner (not their own work).
  const lines = await sql(`SELECT id, budget_id FROM budget_lines WHERE organization_id = $1 ORDER BY name, id LIMIT 2`, [org]);
  const adjustments: Array<[string, number, string, boolean, string]> = [
    ['00000000-0000-4000-8000-0000000ad001', -2, lead, false, 'PENDING'],
    ['00000000-0000-4000-8000-0000000ad002', 1, lead, true, 'PENDING'],
    ['00000000-0000-4000-8000-0000000ad003', 3, owner, false, 'PENDING'],
    ['00000000-0000-4000-8000-0000000ad004', 0, lead, false, 'APPROVED'],
  ];
  for (const [id, days, by, fast, status] of adjustments) {
    await sql(
      `INSERT INTO budget_adjustments (id, organization_id, budget_id, from_line_id, to_line_id, amount, reason, fast_track, status, due_at, requested_by)
       VALUES ($1, $2, $3, $4, $5, 120.50, '激励不够', $6, $7, (now() AT TIME ZONE 'UTC')::date + $8::int + interval '9 hours', $9)`,
      [id, org, lines[0].budget_id, lines[0].id, lines[1].id, fast, status, days, by],
    );
  }
  const as = (userId: string): Caller => ({ token: signSession(process.env.JWT_SECRET!, userId, 3600) });
  return { org, callers: { lead: as(lead), owner: as(owner), member: as(member), viewer: as(viewer) } };
}

/** Every item of the caller, read in pages of 100 (the cap), as one list. */
async function allItems(caller: Caller) {
  const first: any = ok(await app.gql(MY_WORK, { first: 100 }, caller)).myWork;
  const answer = { ...first, edges: [...first.edges] };
  for (let page = first; page.pageInfo.hasNextPage; ) {
    page = ok(await app.gql(MY_WORK, { first: 100, after: page.pageInfo.endCursor }, caller)).myWork;
    answer.edges.push(...page.edges);
    answer.pageInfo = { ...answer.pageInfo, hasNextPage: page.pageInfo.hasNextPage, endCursor: page.pageInfo.endCursor };
  }
  return { answer };
}

describe('myWork over every module', () => {
  let callers: Awaited<ReturnType<typeof world>>['callers'];
  beforeAll(async () => {
    callers = (await world()).callers;
  });

  it.each(['lead', 'owner', 'member', 'viewer'] as const)('answers %s as the statement-per-source implementation did, on every page size', async (who) => {
    const caller = callers[who];
    const { answer } = await allItems(caller);
    const cursors: string[] = answer.edges.map((e: any) => e.cursor);
    const byCursor = (c: string | null) => (c === null ? null : `#${cursors.indexOf(c)}`);
    // The full list, its cursors named by position (a cursor holds today's date; its place does not).
    expect(
      relative({
        totalCount: answer.totalCount,
        items: answer.edges.map((e: any) => e.node),
        pageInfo: { ...answer.pageInfo, startCursor: byCursor(answer.pageInfo.startCursor), endCursor: byCursor(answer.pageInfo.endCursor) },
      }),
    ).toMatchSnapshot();
    expect(new Set(cursors).size).toBe(cursors.length);
    // Paged by 1, 3 and 7: the same items and cursors, the same total on every page.
    for (const size of [1, 3, 7]) {
      const seen: any[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const got: any = ok(await app.gql(MY_WORK, { first: size, after }, caller)).myWork;
        expect(got.totalCount).toBe(answer.totalCount);
        expect(got.pageInfo.hasPreviousPage).toBe(after !== null);
        seen.push(...got.edges);
        if (got.edges.length) expect(got.pageInfo.endCursor).toBe(got.edges[got.edges.length - 1].cursor);
        after = got.pageInfo.endCursor;
        if (!got.pageInfo.hasNextPage) break;
      }
      expect(seen).toEqual(answer.edges);
    }
    // first: 0 answers the count and whether there is anything.
    const none: any = ok(await app.gql(MY_WORK, { first: 0 }, caller)).myWork;
    expect(none).toEqual({
      totalCount: answer.totalCount,
      edges: [],
      pageInfo: { hasNextPage: answer.totalCount > 0, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('answers a page in one statement after authentication, whatever the page size, the cursor, the items or the sources', async () => {
    // Subjects' own fields that read other rows (an adjustment's amount, at its budget's currency
    // scale) cost their loaders; the list itself, with the subjects' columns, is one statement.
    // The callers see 5 (viewer), 6 (lead, member) and 7 (owner) of the sources, and from 0 to 100+ items.
    for (const who of ['lead', 'owner', 'member', 'viewer'] as const) {
      for (const first of [0, 1, 20, 100]) {
        const page = await app.gql(MY_WORK_LIST, { first }, callers[who]);
        const next = await app.gql(MY_WORK_LIST, { first, after: ok(page).myWork.pageInfo.endCursor ?? null }, callers[who]);
        for (const answer of [page, next]) {
          // Authentication, then the page, its count and its subjects.
          expect([who, first, answer.statements]).toEqual([who, first, 2]);
          expect(answer.sql!.filter((text) => text.includes('UNION ALL'))).toHaveLength(1);
        }
      }
    }
  });

  it('has items of every kind in the world (the lead and the owner together)', async () => {
    const kinds = new Set<string>();
    for (const who of ['lead', 'owner'] as const) for (const e of (await allItems(callers[who])).answer.edges) kinds.add(e.node.kind);
    expect([...kinds].sort()).toEqual(
      [
        'BUDGET_ADJUSTMENT_PENDING',
        'CAMPAIGN_REVIEW_DUE',
        'CHECK_IN_DUE',
        'KPI_ALERT_OPEN',
        'SOP_ACKNOWLEDGEMENT_DUE',
        'SOP_APPROVAL_PENDING',
        'SOP_REVIEW_OVERDUE',
        'TASK_DUE_TODAY',
        'TASK_OVERDUE',
      ].sort(),
    );
    expect(toGlobalId('KpiAlert', '00000000-0000-4000-8000-00000000a001')).toBeTruthy();
  });
});
