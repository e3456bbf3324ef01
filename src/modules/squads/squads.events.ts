import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the squads module publishes (squads, their members, sprints). */
export const SQUADS_EVENTS = defineEventTypes('squads', {
  SQUAD_CREATED: { description: 'A squad was created.' },
  SQUAD_UPDATED: { description: 'A squad’s name, mission or lead changed.' },
  SQUAD_ARCHIVED: { description: 'A squad was archived.' },
  SQUAD_MEMBER_ADDED: { description: 'A member joined a squad (entityType SquadMember).' },
  SQUAD_MEMBER_REMOVED: { description: 'A member left a squad (entityType SquadMember).' },
  SPRINT_CREATED: { description: 'A sprint was planned.' },
  SPRINT_UPDATED: { description: 'An open sprint’s name, goal or dates changed.' },
  SPRINT_CLOSED: { description: 'A sprint was closed (with its retrospective).' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof SQUADS_EVENTS> {}
}
