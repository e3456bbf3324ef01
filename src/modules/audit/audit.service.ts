import type { Context } from '../../common/context';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import { emitAfterCommit } from '../../common/events';
import { eventTypeOf, type PlanningEventType } from '../../common/event-types';
import { AuditEvent } from './audit-event.entity';

/** Keeps secrets and internals out of audit snapshots. */
const HIDDEN = new Set(['passwordHash', 'secretHash', 'tokenHash']);

function snapshot(value: unknown): Record<string, unknown> | null {
  if (value == null) return null;
  return JSON.parse(
    JSON.stringify(value, (k, v) => (HIDDEN.has(k) ? undefined : v)),
  );
}

/** The audit row of a change: who, what, before and after (snapshots without secrets). */
function auditRow(
  tx: Context,
  e: { action: string; entityType: string; entityId: string; before?: unknown; after?: unknown },
): Partial<AuditEvent> {
  if (!tx.afterCommit) throw new Error('recordAudit outside a transaction');
  return {
    organizationId: orgId(tx),
    actorId: tx.viewer?.userId ?? null,
    apiTokenId: tx.viewer?.apiTokenId ?? null,
    action: e.action,
    entityType: e.entityType,
    entityUuid: e.entityId,
    before: snapshot(e.before),
    after: snapshot(e.after),
    requestId: tx.requestId,
  };
}

/** Records an audit event; call inside the mutation's transaction, after the change. */
export async function recordAudit(
  tx: Context,
  e: { action: string; entityType: string; entityId: string; before?: unknown; after?: unknown },
): Promise<void> {
  const row = auditRow(tx, e);
  await tx.manager.getRepository(AuditEvent).save(tx.manager.create(AuditEvent, row), { reload: false });
}

/** `key_result.checked_in` → `KEY_RESULT_CHECKED_IN`: the event type of an audited action (declared, or it throws). */
export { eventTypeOf };

/** A change as recorded: audited on one object, announced (by default) as a change of it. */
export interface Change {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  meta?: Record<string, string | null>;
  /** The event, when it names another object or type than the audited one (e.g. the check-in of a key result). */
  event?: { type?: PlanningEventType; entityType?: string; entityId?: string };
}

/**
 * The one way a change is recorded: in the audit log (same transaction), and as the change
 * event, typed after the action (a declared PlanningEventType: an undeclared one throws before
 * anything is written), queued for after commit. `meta` carries the routing facts
 * subscription filters need (squadId, assigneeId...). Mutations normally call it through
 * `createRecorded` / `updateRecorded` / `deleteRecorded` (changes.ts).
 */
export async function recordChange(tx: Context, change: Change): Promise<void> {
  const { meta, event, ...audit } = change;
  const type = event?.type ?? eventTypeOf(change.action);
  await recordAudit(tx, audit);
  emitChange(tx, change, type);
}

function emitChange(tx: Context, change: Change, type: PlanningEventType): void {
  emitAfterCommit(tx, {
    type,
    entityType: change.event?.entityType ?? change.entityType,
    entityId: change.event?.entityId ?? change.entityId,
    meta: change.meta,
  });
}

/**
 * `recordChange` for a write that carries its audit row in a statement of its own (a
 * data-modifying CTE beside its other writes, to save a round trip): returns that INSERT, its
 * values bound through `bind` (which returns each placeholder), and queues the change event for
 * after commit. The caller runs the statement in the same transaction, before it commits.
 */
export function recordChangeSql(tx: Context, change: Change, bind: (value: unknown) => string): string {
  const { meta, event, ...audit } = change;
  const type = event?.type ?? eventTypeOf(change.action);
  const row = auditRow(tx, audit);
  const json = (v: unknown) => (v == null ? null : JSON.stringify(v));
  const sql = `INSERT INTO audit_events (organization_id, actor_id, api_token_id, action, entity_type, entity_id, before, after, request_id)
    VALUES (${bind(row.organizationId)}::uuid, ${bind(row.actorId)}::uuid, ${bind(row.apiTokenId)}::uuid, ${bind(row.action)}, ${bind(row.entityType)},
            ${bind(row.entityUuid)}::uuid, ${bind(json(row.before))}::jsonb, ${bind(json(row.after))}::jsonb, ${bind(row.requestId ?? null)})`;
  emitChange(tx, change, type);
  return sql;
}

export interface AuditFilter {
  /** The changed object's uuid (a global id of any type, decoded at the API edge: `@GlobalIdOf(ANY_TYPE)`). */
  entityId?: string | null;
  /** The user's uuid (decoded at the API edge: `@GlobalIdOf('User')`). */
  actorId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export async function listAuditEvents(ctx: Context, filter: AuditFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(AuditEvent, 'a').where('a.organization_id = :org', { org: orgId(ctx) });
  if (filter.entityId) qb.andWhere('a.entity_id = :eid', { eid: filter.entityId });
  if (filter.actorId) qb.andWhere('a.actor_id = :aid', { aid: filter.actorId });
  if (filter.from) qb.andWhere('a.at >= :from', { from: filter.from });
  if (filter.to) qb.andWhere('a.at < :to', { to: filter.to });
  return paginate(ctx, qb, page, [
    { column: 'a.at', direction: 'DESC', value: (e) => e.at },
    { column: 'a.id', direction: 'DESC', value: (e) => e.id },
  ], 'Query.auditEvents');
}
