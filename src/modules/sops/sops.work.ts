import { MANAGERS, WRITERS, hasRole } from '../../common/access';
import type { Context } from '../../common/context';
import { squadMateOf } from '../squads';
import { defineWorkSource } from '../work';
import { Sop } from './sops.entity';

/**
 * The SOP module's part of `myWork`, three kinds in one fragment:
 * - SOPs whose current version the caller must acknowledge and has not (due: its publication day):
 *   the caller holds a role in the SOP's RACI matrix, or the SOP has no assignments and its owner
 *   shares a squad with the caller;
 * - SOPs the caller owns whose review date has passed (due: that date);
 * - versions in review the caller may approve (SQUAD_LEAD/ADMIN/OWNER, neither the author nor an
 *   editor; due: the submission day).
 */
export const sopWork = defineWorkSource<Sop>({
  kinds: {
    SOP_ACKNOWLEDGEMENT_DUE: 'A published SOP version you must read and acknowledge.',
    SOP_REVIEW_OVERDUE: 'An SOP you own whose review date has passed.',
    SOP_APPROVAL_PENDING: 'An SOP version in review that you may approve (you neither wrote nor changed it).',
  },
  // A VIEWER acknowledges, reviews and approves nothing (they change nothing).
  visible: (ctx: Context) => hasRole(ctx, WRITERS),
  entity: Sop,
  items: ({ ctx, param, kind, organizationId, userId, today }) => {
    const org = `${param(organizationId)}::uuid`;
    const me = `${param(userId)}::uuid`;
    const approvals = hasRole(ctx, MANAGERS)
      ? `
    UNION ALL
    SELECT ${kind('SOP_APPROVAL_PENDING')}, (v.submitted_at AT TIME ZONE 'UTC')::date, s.id
      FROM sops s JOIN sop_versions v ON v.id = s.draft_version_id AND v.organization_id = s.organization_id
     WHERE s.organization_id = ${org} AND s.status = 'IN_REVIEW' AND s.archived_at IS NULL
       AND v.author_id IS DISTINCT FROM ${me} AND NOT (${me} = ANY(v.editor_ids))`
      : '';
    return `
    SELECT ${kind('SOP_ACKNOWLEDGEMENT_DUE')} AS kind, (v.published_at AT TIME ZONE 'UTC')::date AS due_on, s.id AS id
      FROM sops s JOIN sop_versions v ON v.id = s.current_version_id AND v.organization_id = s.organization_id
     WHERE s.organization_id = ${org} AND s.archived_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM sop_acknowledgements k WHERE k.organization_id = ${org} AND k.version_id = s.current_version_id AND k.user_id = ${me})
       AND (EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = ${org} AND r.matrix_id = s.raci_matrix_id AND r.user_id = ${me})
            OR (${squadMateOf('s.owner_id', organizationId, userId)(param)}
                AND NOT EXISTS (SELECT 1 FROM raci_assignments r WHERE r.organization_id = ${org} AND r.matrix_id = s.raci_matrix_id)))
    UNION ALL
    SELECT ${kind('SOP_REVIEW_OVERDUE')}, s.review_due_on, s.id
      FROM sops s
     WHERE s.organization_id = ${org} AND s.owner_id = ${me} AND s.archived_at IS NULL AND s.review_due_on < ${param(today)}::date${approvals}`;
  },
  reason: (kind, dueOn, sop) => {
    if (kind === 'SOP_ACKNOWLEDGEMENT_DUE') return `new version of “${sop.title}” published ${dueOn}: read and acknowledge it`;
    if (kind === 'SOP_REVIEW_OVERDUE') return `review of “${sop.title}” overdue since ${dueOn}`;
    return `“${sop.title}” waits for approval since ${dueOn}`;
  },
});
