import { toGlobalId } from '../../common/ids';

/**
 * The audit log stores snapshots as written (uuids) and shows them with global ids, like the rest
 * of the API. The rule, applied at read time to `AuditEvent.before` / `after`:
 *
 * - `id` is a global id of the entry's own type (`entityType`), `organizationId` of `Organization`;
 * - a key named in the entity type's table (`auditIdKeys`) is of the type it names: a uuid
 *   string becomes that type's global id, a list of uuids a list of them, and an object (or a
 *   list of objects: a check-in inside a key result's snapshot, `{ sop, version }` of an SOP)
 *   is read with that type's own table, recursively;
 * - everything else is left as it is: unknown keys, strings that are not uuids, object keys
 *   (a cycle's `scores` by key result), null.
 *
 * Each module declares the tables of the types it audits in its entity file, under the entities
 * (`auditIdKeys('Objective', { ownerId: 'User', ... })`); `tests/unit/platform/audit-ids.test.ts`
 * fails for a uuid column of an entity that is in no table.
 */
export type AuditIdKeys = Readonly<Record<string, string | ((snapshot: Record<string, unknown>) => string | null)>>;

const tables = new Map<string, AuditIdKeys>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Declares which keys of `entityType`'s audit snapshots hold ids, and of which GraphQL type. */
export function auditIdKeys(entityType: string, keys: AuditIdKeys): void {
  tables.set(entityType, { ...tables.get(entityType), ...keys });
}

/** The declared table of `entityType` (without the implicit `id` and `organizationId`); for tests. */
export function auditIdKeysOf(entityType: string): AuditIdKeys | undefined {
  return tables.get(entityType);
}

function convert(type: string, value: unknown): unknown {
  if (typeof value === 'string') return UUID.test(value) ? toGlobalId(type, value) : value;
  if (Array.isArray(value)) return value.map((v) => convert(type, v));
  if (value && typeof value === 'object') return withGlobalIds(type, value as Record<string, unknown>);
  return value;
}

/** A snapshot of `entityType` with its ids as global ids (a copy; null stays null). */
export function withGlobalIds(entityType: string, snapshot: Record<string, unknown> | null): Record<string, unknown> | null {
  if (snapshot == null || typeof snapshot !== 'object' || Array.isArray(snapshot)) return snapshot;
  const table = tables.get(entityType) ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(snapshot)) {
    const declared = key === 'id' ? entityType : key === 'organizationId' ? 'Organization' : table[key];
    // A polymorphic reference names its type in the snapshot (a RACI matrix's subjectType).
    const type = typeof declared === 'function' ? declared(snapshot) : declared;
    out[key] = type ? convert(type, value) : value;
  }
  return out;
}
