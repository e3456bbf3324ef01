import { assertCanManage } from '../../common/access';
import { orgId } from '../../common/auth';
import type { Context } from '../../common/context';
import { requireById } from '../../common/loaders';
import { lockById } from '../../db/locks';
import { withTransaction } from '../../db/transaction';
import { recordChange } from '../audit';
import { Task } from '../tasks';
import { assertLinkableStep } from './sop-rules';
import { SopStep, TaskSopStep } from './sops.entity';
import type { LinkTaskToSopStepInput } from './sops.inputs';
import { sopStepById, sopStepByTaskId, sopVersionById } from './sops.loaders';

/**
 * Links a task to the step of a published SOP version it carries out (null unlinks): OWNER/ADMIN,
 * the lead of the task's squad, or its assignee. Published steps never change, so the link stays
 * true; a draft's steps are replaced on every edit and cannot be linked.
 */
export async function linkTaskToSopStep(ctx: Context, input: LinkTaskToSopStepInput) {
  return withTransaction(ctx, async (tx) => {
    // The task's row lock queues two changes of its link; the task itself does not change.
    const task = await lockById(tx, Task, input.taskId, { mode: 'NO KEY UPDATE', field: 'taskId' });
    await assertCanManage(tx, { kind: 'task', squadId: task.squadId, assigneeId: task.assigneeId }, 'link this task to an SOP step');
    const org = orgId(tx);
    const before = await sopStepByTaskId(tx).load(task.id);
    let step: SopStep | null = null;
    if (input.sopStepId) {
      step = await requireById(sopStepById(tx), input.sopStepId, 'SopStep');
      const version = await requireById(sopVersionById(tx), step.versionId, 'SopVersion');
      assertLinkableStep(version);
      await tx.manager.query(
        `INSERT INTO task_sop_steps (task_id, organization_id, sop_step_id) VALUES ($1, $2, $3)
         ON CONFLICT (task_id) DO UPDATE SET sop_step_id = EXCLUDED.sop_step_id, created_at = now()`,
        [task.id, org, step.id],
      );
    } else {
      await tx.manager.delete(TaskSopStep, { taskId: task.id, organizationId: org });
    }
    await recordChange(tx, {
      action: 'task.sop_step_linked',
      entityType: 'Task',
      entityId: task.id,
      before: { sopStepId: before?.id ?? null },
      after: { sopStepId: step?.id ?? null },
      meta: { squadId: task.squadId, assigneeId: task.assigneeId },
    });
    return { task, sopStep: step };
  });
}
