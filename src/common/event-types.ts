/*
 * The types of change events: one enum, `PlanningEventType` in the schema, whose values are
 * declared by the modules that publish them, each in its `<module>.events.ts`:
 *
 *   export const TASKS_EVENTS = defineEventTypes('tasks', {
 *     TASK_CREATED: { description: 'A task was created.' },
 *     …
 *   });
 *   declare module '../../common/event-types' {
 *     interface PlanningEventTypeRegistry extends EventTypesOf<typeof TASKS_EVENTS> {}
 *   }
 *
 * The `declare module` block adds the names to the TypeScript type `PlanningEventType`, so a
 * misspelt type in `planningSubscription([...])`, `emitAfterCommit` or a case list does not
 * compile; `defineEventTypes` adds them, with their description and owner, to the enum the
 * realtime module registers in the schema (read when the schema is built), so a misspelt type in
 * `planningEvents(filter: { types })` is a GraphQL validation error. An audited action's type is
 * derived from it (`task.status_changed` → `TASK_STATUS_CHANGED`) and must be declared too:
 * `eventTypeOf` throws otherwise, in every environment. Pure: no GraphQL import.
 */

/** Filled by the modules' `<module>.events.ts` (declaration merging): one key per declared type. */
export interface PlanningEventTypeRegistry {}

/** A declared event type (a union of the declared names). */
export type PlanningEventType = Extract<keyof PlanningEventTypeRegistry, string>;

/** What a module says of each type it publishes. */
export interface EventTypeDeclaration {
  /** One sentence for the schema: what happened (and, when it helps, what `entityType` names). */
  description: string;
}

/** The keys a `defineEventTypes` result adds to `PlanningEventTypeRegistry`. */
export type EventTypesOf<T> = { readonly [K in keyof T & string]: true };

const NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const declared = new Map<string, { owner: string; description: string }>();

/**
 * The enum object registered as `PlanningEventType` (name → name), and the values' descriptions
 * (prefixed with the owning module). Both are filled as modules declare and read when the schema
 * is built, like `WorkItemKind`.
 */
export const PlanningEventTypes: Record<string, string> = {};
export const PlanningEventTypeDescriptions: Record<string, { description: string }> = {};

/**
 * Declares the event types `owner` publishes; returns them as constants (`TASKS_EVENTS.TASK_CREATED`).
 * Throws on a name that is not an UPPER_SNAKE GraphQL enum value, an empty description, or a
 * type another module already declared.
 */
export function defineEventTypes<const T extends Record<string, EventTypeDeclaration>>(owner: string, types: T): { readonly [K in keyof T & string]: K } {
  const constants: Record<string, string> = {};
  for (const [name, { description }] of Object.entries(types)) {
    if (!NAME.test(name)) throw new Error(`Event type "${name}" (${owner}) must be UPPER_SNAKE_CASE`);
    if (!description?.trim()) throw new Error(`Event type ${name} (${owner}) needs a description`);
    const existing = declared.get(name);
    if (existing && existing.owner !== owner) throw new Error(`Event type ${name} is declared by ${existing.owner}; ${owner} cannot declare it too`);
    declared.set(name, { owner, description });
    PlanningEventTypes[name] = name;
    PlanningEventTypeDescriptions[name] = { description: `(${owner}) ${description}` };
    constants[name] = name;
  }
  return Object.freeze(constants) as { readonly [K in keyof T & string]: K };
}

/** Whether `type` is a declared event type. */
export const isEventType = (type: string): type is PlanningEventType => declared.has(type);

/** Throws unless `type` is declared: an event of an undeclared type is a bug, never sent. */
export function assertEventType(type: string, from?: string): asserts type is PlanningEventType {
  if (!declared.has(type)) {
    throw new Error(`Event type ${type}${from ? ` (from ${from})` : ''} is not declared: add it to the publishing module's <module>.events.ts`);
  }
}

/** The event type of an audited action: `key_result.checked_in` → `KEY_RESULT_CHECKED_IN`; throws when it is not declared. */
export function eventTypeOf(action: string): PlanningEventType {
  const type = action.toUpperCase().replace(/\./g, '_');
  assertEventType(type, `action "${action}"`);
  return type;
}

/** Every declared type with its owning module and description. */
export function declaredEventTypes(): ReadonlyMap<PlanningEventType, { owner: string; description: string }> {
  return declared as ReadonlyMap<PlanningEventType, { owner: string; description: string }>;
}
