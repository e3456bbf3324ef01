import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the SOP module publishes (RACI matrices, SOPs and their versions, task steps). */
export const SOPS_EVENTS = defineEventTypes('sops', {
  RACI_MATRIX_CREATED: { description: 'A RACI matrix was created.' },
  RACI_ACTIVITY_ADDED: { description: 'An activity was added to a RACI matrix (entityType RaciActivity).' },
  RACI_ACTIVITY_REMOVED: { description: 'An activity was removed from a RACI matrix (entityType RaciActivity).' },
  RACI_ASSIGNMENT_SET: { description: 'A role of an activity in a RACI matrix was set or cleared (entityType RaciActivity).' },
  SOP_CREATED: { description: 'An SOP was created (its first draft).' },
  SOP_DRAFT_UPDATED: { description: 'An SOP draft changed.' },
  SOP_SUBMITTED: { description: 'An SOP draft was submitted for review.' },
  SOP_PUBLISHED: { description: 'An SOP version was approved and published.' },
  SOP_REJECTED: { description: 'An SOP version under review was sent back.' },
  SOP_REVISION_STARTED: { description: 'A new draft of a published SOP was started.' },
  SOP_ARCHIVED: { description: 'An SOP was archived.' },
  SOP_ACKNOWLEDGED: { description: 'A member acknowledged an SOP’s current version.' },
  TASK_SOP_STEP_LINKED: { description: 'A task was linked to an SOP step, or unlinked (entityType Task).' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof SOPS_EVENTS> {}
}
