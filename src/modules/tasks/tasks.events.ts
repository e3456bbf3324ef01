import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the tasks module publishes. */
export const TASKS_EVENTS = defineEventTypes('tasks', {
  TASK_CREATED: { description: 'A task was created.' },
  TASK_UPDATED: { description: 'A task’s title, description, dates, priority, assignee or links changed.' },
  TASK_STATUS_CHANGED: { description: 'A task moved to another status.' },
  TASK_DELETED: { description: 'A task was deleted.' },
  TASK_ASSIGNED: { description: 'A task was assigned to someone, when created or reassigned.' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof TASKS_EVENTS> {}
}
