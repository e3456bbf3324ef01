import type { DataSource } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import { orgId } from '../common/auth';
import type { Context } from '../common/context';
import { conflict } from '../common/errors';
import {
  IDEMPOTENCY_TTL_HOURS,
  IDEMPOTENCY_WAIT_MS,
  requestFingerprint,
  type IdempotentInput,
} from '../common/idempotency';
import { nodeFetcher } from '../common/node';
import { withTransaction } from './transaction';

/** What a payload field held: a Node (type and id, rebuilt through its by-id loader), or a plain value. */
type Ref = { type: string; id: string } | { value: string | number | boolean | null };

interface KeyRow {
  operation: string;
  request_hash: string;
  result: Record<string, Ref> | null;
}

const SWEEP_EVERY_MS = 10 * 60_000;
const SWEEP_BATCH = 5_000;
let lastSweep = 0;

function callerOf(ctx: Context): string {
  const v = ctx.viewer;
  if (!v) throw new Error('withIdempotency needs a signed-in caller');
  return v.kind === 'apiToken' && v.apiTokenId ? `token:${v.apiTokenId}` : `user:${v.userId}`;
}

function refOf(field: string, value: unknown): Ref {
  if (value === null || value === undefined) return { value: null };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { value };
  const type = (value as object).constructor?.name;
  const id = (value as { id?: unknown }).id;
  if (type && typeof id === 'string' && nodeFetcher(type)) return { type, id };
  // A programming error: an idempotent payload may hold only Node types and scalars.
  throw new Error(`withIdempotency: payload field ${field} is neither a registered Node type nor a scalar`);
}

async function replay<T>(tx: Context, operation: string, result: Record<string, Ref>): Promise<T> {
  const out: Record<string, unknown> = {};
  for (const [field, ref] of Object.entries(result)) {
    if ('value' in ref) {
      out[field] = ref.value;
      continue;
    }
    const [node] = await nodeFetcher(ref.type)!(tx, [ref.id]);
    if (!node) {
      throw conflict(`The ${ref.type} that ${operation} created with this idempotencyKey no longer exists`, { field: 'idempotencyKey' });
    }
    out[field] = node;
  }
  return out as T;
}

/**
 * Claims (organisation, caller, key) in the current transaction. The row is inserted first, so a
 * parallel request with the same key waits on it (PostgreSQL's unique index) until this
 * transaction ends: after a commit it replays the result, after a rollback it proceeds itself.
 * An expired row is taken over as if absent. Returns the row another request left, or null when
 * this request owns the key.
 */
async function claim(tx: Context, caller: string, key: string, operation: string, hash: string): Promise<KeyRow | null> {
  const org = orgId(tx);
  const [{ prev }] = await tx.manager.query(`SELECT current_setting('lock_timeout') AS prev, set_config('lock_timeout', $1, true)`, [
    `${IDEMPOTENCY_WAIT_MS}ms`,
  ]);
  let claimed: unknown[];
  try {
    claimed = await tx.manager.query(
      `INSERT INTO idempotency_keys (organization_id, caller, key, operation, request_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))
       ON CONFLICT (organization_id, caller, key) DO UPDATE
          SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash, result = NULL,
              created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= now()
       RETURNING 1`,
      [org, caller, key, operation, hash, IDEMPOTENCY_TTL_HOURS],
    );
  } catch (err) {
    const code = err instanceof QueryFailedError ? (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code : undefined;
    if (code === '55P03') {
      throw conflict('Another request with this idempotencyKey is still in progress: retry in a moment', { field: 'idempotencyKey' });
    }
    throw err;
  }
  await tx.manager.query(`SELECT set_config('lock_timeout', $1, true)`, [prev]);
  if (claimed.length > 0) return null;
  const [row] = (await tx.manager.query(
    `SELECT operation, request_hash, result FROM idempotency_keys WHERE organization_id = $1 AND caller = $2 AND key = $3`,
    [org, caller, key],
  )) as KeyRow[];
  return row;
}

/**
 * The platform's idempotency keys, for any mutation that creates something: use it instead of
 * `withTransaction` in the service,
 *
 *     return withIdempotency(ctx, 'createSquad', input, async (tx) => { ... return { squad }; });
 *
 * and add `@IdempotencyKeyField() idempotencyKey?: string;` to the input. Without a key it is
 * exactly `withTransaction`. With one, the key is claimed in the mutation's own transaction and
 * the payload's references (each field a Node type and its id, or a scalar) are stored with it:
 * a retry by the same caller (user or API token) in the same organisation within 24 hours gets
 * the same objects, rebuilt through their by-id loaders, and writes nothing (no row, no audit
 * event, no subscription event); the same key with another input or operation is CONFLICT.
 * A request that fails stores nothing, so its key may be used again. The claim is part of the
 * transaction, so when `withTransaction` runs it again after a deadlock or serialization
 * failure, the key is claimed again in the new transaction (the first claim was rolled back with
 * everything else); a parallel request with the same key that was waiting on the first claim
 * either owns the key by then (the retry then waits for it and replays its result) or waits again.
 */
export function withIdempotency<T extends object>(
  ctx: Context,
  operation: string,
  input: IdempotentInput,
  fn: (tx: Context) => Promise<T>,
): Promise<T> {
  const key = input.idempotencyKey;
  if (key == null) return withTransaction(ctx, fn);
  const hash = requestFingerprint(operation, input);
  return withTransaction(ctx, async (tx) => {
    const caller = callerOf(tx);
    const existing = await claim(tx, caller, key, operation, hash);
    if (existing) {
      if (existing.operation !== operation) {
        throw conflict(`This idempotencyKey was already used for ${existing.operation}: use a new key for each request`, {
          field: 'idempotencyKey',
        });
      }
      if (existing.request_hash !== hash) {
        throw conflict('This idempotencyKey was already used with a different input: use a new key for a different request', {
          field: 'idempotencyKey',
        });
      }
      return replay<T>(tx, operation, existing.result ?? {});
    }
    const result = await fn(tx);
    const refs = Object.fromEntries(Object.entries(result).map(([field, value]) => [field, refOf(field, value)]));
    await tx.manager.query(
      `UPDATE idempotency_keys SET result = $4 WHERE organization_id = $1 AND caller = $2 AND key = $3`,
      [orgId(tx), caller, key, JSON.stringify(refs)],
    );
    if (Date.now() - lastSweep > SWEEP_EVERY_MS) {
      // Decided after commit: an attempt rolled back (and retried by withTransaction) sweeps nothing.
      tx.afterCommit!.push(() => {
        if (Date.now() - lastSweep <= SWEEP_EVERY_MS) return;
        lastSweep = Date.now();
        sweepExpiredIdempotencyKeys(ctx.db).catch((err) => ctx.logger.warn({ err }, 'idempotency key sweep failed'));
      });
    }
    return result;
  });
}

/** Deletes expired keys (a batch at a time); runs after an idempotent mutation at most every 10 minutes. */
export async function sweepExpiredIdempotencyKeys(db: DataSource, batch = SWEEP_BATCH): Promise<number> {
  // TypeORM answers a DELETE with [rows, rowCount].
  const [, count] = (await db.query(
    `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
       SELECT ctid FROM idempotency_keys WHERE expires_at <= now() ORDER BY expires_at LIMIT $1))`,
    [batch],
  )) as [unknown[], number];
  return count;
}
