import { orgId } from '../../common/auth';
import { Role, type Context } from '../../common/context';
import { isoToday } from '../../common/dates';
import { primeAll } from '../../common/loaders';
import { rowShape } from '../../common/rows';
import { squadMatesByUserId } from '../squads';
import type { WorkCursor, WorkItemData, WorkSource } from '../work';
import { Sop } from './sops.entity';
import { sopById } from './sops.loaders';

const ACK = { name: 'SOP_ACKNOWLEDGEMENT_DUE', description: 'A published SOP version you must read and acknowledge.', rank: 3 };
const REVIEW = { name: 'SOP_REVIEW_OVERDUE', description: 'An SOP you own whose review date has passed.', rank: 4 };
const APPROVAL = { name: 'SOP_APPROVAL_PENDING', description: 'An SOP version in review that you may approve (you neither wrote nor changed it).', rank: 5 };
const KINDS = [ACK, REVIEW, APPROVAL];
const APPROVERS: readonly string[] = [Role.OWNER, Role.ADMIN, Role.SQUAD_LEAD];

/**
 * The caller's SOP work items as one statement: (kind, rank, due day, SOP) for
 * - SOPs whose current version the caller must acknowledge and has not (due: its publication day),
 * - SOPs the caller owns whose review date has passed (due: that date),
 * - versions in review the caller may approve (SQUAD_LEAD/ADMIN/OWNER, neither the author nor an editor; due: the submission day).
 * Parameters: $1 organisation, $2 caller, $3 the caller's squad mates, $4 today, $5 may approve.
 */
function itemsSql(): string {
  return `
    SELECT ${ACK.rank} AS rank, (v.published_at AT TIME ZONE 'UTC')::date AS due_on, s.id AS sop_id
      FROM sops s JOIN sop_versions v ON v.id = s.current_version_id AND v.organization_id = s.organization_id
     WHERE s.organization_id = $1 AND s.archived_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM sop_acknowledgements k WHERE k.organization_id = $1 AND k.version_id = s.current_version_id AND k.user_id = $2)
       AND (EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = $1 AND r.matrix_id = s.raci_matrix_id AND r.user_id = $2)
            OR (s.owner_id = ANY($3::uuid[])
                AND NOT EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = $1 AND r.matrix_id = s.raci_matrix_id)))
    UNION ALL
    SELECT ${REVIEW.rank}, s.review_due_on, s.id
      FROM sops s
     WHERE s.organization_id = $1 AND s.owner_id = $2 AND s.archived_at IS NULL AND s.review_due_on < $4::date
    UNION ALL
    SELECT ${APPROVAL.rank}, (v.submitted_at AT TIME ZONE 'UTC')::date, s.id
      FROM sops s JOIN sop_versions v ON v.id = s.draft_version_id AND v.organization_id = s.organization_id
     WHERE $5::boolean AND s.organization_id = $1 AND s.status = 'IN_REVIEW' AND s.archived_at IS NULL
       AND v.author_id IS DISTINCT FROM $2 AND NOT ($2 = ANY(v.editor_ids))`;
}

async function params(ctx: Context, userId: string): Promise<unknown[]> {
  // A VIEWER acknowledges nothing (they change nothing); the squad route needs the caller's squad mates.
  const mates = ctx.role === Role.VIEWER ? [] : ((await squadMatesByUserId(ctx).load(userId)) ?? []);
  return [orgId(ctx), userId, mates, isoToday(), Boolean(ctx.role && APPROVERS.includes(ctx.role))];
}

const KIND_BY_RANK = new Map(KINDS.map((k) => [k.rank, k]));

function reason(rank: number, dueOn: string, sop: Sop): string {
  if (rank === ACK.rank) return `new version of “${sop.title}” published ${dueOn}: read and acknowledge it`;
  if (rank === REVIEW.rank) return `review of “${sop.title}” overdue since ${dueOn}`;
  return `“${sop.title}” waits for approval since ${dueOn}`;
}

/** The SOP module's part of `myWork`: a constant number of statements, whatever the number of SOPs. */
export const sopWork: WorkSource = {
  kinds: KINDS,
  async fetch(ctx: Context, userId: string, after: WorkCursor | null, limit: number): Promise<WorkItemData[]> {
    if (ctx.role === Role.VIEWER) return [];
    const p = await params(ctx, userId);
    const shape = rowShape(ctx.manager.connection, Sop);
    let where = '';
    if (after) {
      p.push(after.dueOn, after.rank, after.id);
      where = `WHERE (i.due_on, i.rank, i.sop_id) > ($6::date, $7::int, $8::uuid)`;
    }
    p.push(limit);
    const rows: Array<Record<string, unknown>> = await ctx.manager.query(
      `SELECT i.rank AS "__rank", to_char(i.due_on, 'YYYY-MM-DD') AS "__due", ${shape.columns('s')}
         FROM (${itemsSql()}) i JOIN sops s ON s.id = i.sop_id
        ${where}
        ORDER BY i.due_on, i.rank, i.sop_id
        LIMIT $${p.length}`,
      p,
    );
    const sops = rows.map((r) => shape.map(r));
    primeAll(sopById(ctx), sops);
    return rows.map((r, i) => {
      const rank = Number(r.__rank);
      const dueOn = r.__due as string;
      return { kind: KIND_BY_RANK.get(rank)!.name, reason: reason(rank, dueOn, sops[i]), dueOn, subject: sops[i] };
    });
  },
  async count(ctx: Context, userId: string): Promise<number> {
    if (ctx.role === Role.VIEWER) return 0;
    const [{ n }] = await ctx.manager.query(`SELECT count(*)::int AS n FROM (${itemsSql()}) i`, await params(ctx, userId));
    return n;
  },
};
