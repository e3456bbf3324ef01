import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the OKR module publishes (cycles, objectives, key results, check-ins). */
export const OKRS_EVENTS = defineEventTypes('okrs', {
  CYCLE_CREATED: { description: 'A cycle was opened.' },
  CYCLE_UPDATED: { description: 'A cycle’s name or dates changed.' },
  CYCLE_CLOSED: { description: 'A cycle was closed and its objectives scored.' },
  OBJECTIVE_CREATED: { description: 'An objective was created.' },
  OBJECTIVE_UPDATED: { description: 'An objective’s title, owner, squad, alignment or weight changed.' },
  OBJECTIVE_ARCHIVED: { description: 'An objective was archived.' },
  OBJECTIVE_PROGRESS_CHANGED: { description: 'An objective’s progress, status or score may have changed (a check-in, a key result, a re-alignment, the cycle closing).' },
  KEY_RESULT_CREATED: { description: 'A key result was created.' },
  KEY_RESULT_UPDATED: { description: 'A key result’s definition changed.' },
  KEY_RESULT_ARCHIVED: { description: 'A key result was archived.' },
  KEY_RESULT_DELETED: { description: 'A key result without check-ins was deleted.' },
  KEY_RESULT_CHECKED_IN: { description: 'A check-in was recorded on a key result (entityType CheckIn), by a person or by a followed KPI.' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof OKRS_EVENTS> {}
}
