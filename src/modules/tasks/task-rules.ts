/** Pure task rules (no ORM or GraphQL). */

export enum TaskQuadrant {
  DO_FIRST = 'DO_FIRST',
  SCHEDULE = 'SCHEDULE',
  DELEGATE = 'DELEGATE',
  ELIMINATE = 'ELIMINATE',
}

/** The Eisenhower quadrant of a task. */
export function quadrantOf(important: boolean, urgent: boolean): TaskQuadrant {
  if (important) return urgent ? TaskQuadrant.DO_FIRST : TaskQuadrant.SCHEDULE;
  return urgent ? TaskQuadrant.DELEGATE : TaskQuadrant.ELIMINATE;
}
