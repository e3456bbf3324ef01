import { orgId } from '../../common/auth';
import { MANAGERS, WRITERS, hasRole } from '../../common/access';
import type { Context } from '../../common/context';
import { squadMatesByUserId } from '../squads';
import { defineSqlWorkSource, workRank } from '../work';
import { Sop } from './sops.entity';

/**
 * The caller's SOP work items as one statement: (rank, due day, SOP) for
 * - SOPs whose current version the caller must acknowledge and has not (due: its publication day),
 * - SOPs the caller owns whose review date has passed (due: that date),
 * - versions in review the caller may approve (SQUAD_LEAD/ADMIN/OWNER, neither the author nor an editor; due: the submission day).
 * Parameters: $1 organisation, $2 caller, $3 the caller's squad mates, $4 today, $5 may approve.
 */
const ITEMS_SQL = `
    SELECT ${workRank('SOP_ACKNOWLEDGEMENT_DUE')} AS rank, (v.published_at AT TIME ZONE 'UTC')::date AS due_on, s.id AS id
      FROM sops s JOIN sop_versions v ON v.id = s.current_version_id AND v.organization_id = s.organization_id
     WHERE s.organization_id = $1 AND s.archived_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM sop_acknowledgements k WHERE k.organization_id = $1 AND k.version_id = s.current_version_id AND k.user_id = $2)
       AND (EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = $1 AND r.matrix_id = s.raci_matrix_id AND r.user_id = $2)
            OR (s.owner_id = ANY($3::uuid[])
                AND NOT EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = $1 AND r.matrix_id = s.raci_matrix_id)))
    UNION ALL
    SELECT ${workRank('SOP_REVIEW_OVERDUE')}, s.review_due_on, s.id
      FROM sops s
     WHERE s.organization_id = $1 AND s.owner_id = $2 AND s.archived_at IS NULL AND s.review_due_on < $4::date
    UNION ALL
    SELECT ${workRank('SOP_APPROVAL_PENDING')}, (v.submitted_at AT TIME ZONE 'UTC')::date, s.id
      FROM sops s JOIN sop_versions v ON v.id = s.draft_version_id AND v.organization_id = s.organization_id
     WHERE $5::boolean AND s.organization_id = $1 AND s.status = 'IN_REVIEW' AND s.archived_at IS NULL
       AND v.author_id IS DISTINCT FROM $2 AND NOT ($2 = ANY(v.editor_ids))`;

/** The SOP module's part of `myWork`: a constant number of statements, whatever the number of SOPs. */
export const sopWork = defineSqlWorkSource<Sop>({
  kinds: {
    SOP_ACKNOWLEDGEMENT_DUE: 'A published SOP version you must read and acknowledge.',
    SOP_REVIEW_OVERDUE: 'An SOP you own whose review date has passed.',
    SOP_APPROVAL_PENDING: 'An SOP version in review that you may approve (you neither wrote nor changed it).',
  },
  // A VIEWER acknowledges, reviews and approves nothing (they change nothing).
  visible: (ctx: Context) => hasRole(ctx, WRITERS),
  entity: Sop,
  async items(ctx, userId, today) {
    // The squad route needs the caller's squad mates.
    const mates = (await squadMatesByUserId(ctx).load(userId)) ?? [];
    return { sql: ITEMS_SQL, params: [orgId(ctx), userId, mates, today, hasRole(ctx, MANAGERS)] };
  },
  reason: (kind, dueOn, sop) => {
    if (kind === 'SOP_ACKNOWLEDGEMENT_DUE') return `new version of “${sop.title}” published ${dueOn}: read and acknowledge it`;
    if (kind === 'SOP_REVIEW_OVERDUE') return `review of “${sop.title}” overdue since ${dueOn}`;
    return `“${sop.title}” waits for approval since ${dueOn}`;
  },
});
