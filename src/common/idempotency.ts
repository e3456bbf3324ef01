import crypto from 'node:crypto';
import { IsOptional, Matches } from 'class-validator';
import { Field } from 'type-graphql';

/** How long a key is remembered: a retry within this window replays the first result. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** How long a request waits for another one holding the same key before CONFLICT "in progress". */
export const IDEMPOTENCY_WAIT_MS = 5_000;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 100;
/** Printable ASCII without spaces: UUIDs, ULIDs, base64 and the like fit; control characters do not. */
const KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`);

/** An input that a mutation guards with `withIdempotency` (src/db/idempotency.ts). */
export interface IdempotentInput {
  idempotencyKey?: string | null;
}

/**
 * The optional `idempotencyKey` field of a create input: one line in the input class,
 * `@IdempotencyKeyField() idempotencyKey?: string;`.
 */
export function IdempotencyKeyField(): PropertyDecorator {
  return (target, property) => {
    Field(() => String, {
      nullable: true,
      description: `Optional, chosen by the client (e.g. a UUID), 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters. Repeating the request with the same key within ${IDEMPOTENCY_TTL_HOURS} h returns the first result and changes nothing; the same key with another input is CONFLICT.`,
    })(target, property);
    IsOptional()(target, property as string);
    Matches(KEY_PATTERN, {
      message: `idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters without spaces`,
    })(target, property as string);
  };
}

/** A stable form of an input: keys sorted, null and omitted alike, the key itself left out. */
function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => canonical(v) ?? null);
  if (typeof value === 'object') {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return json.call(value); // Decimal, Date
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      if (k === 'idempotencyKey') continue;
      const c = canonical((value as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return value;
}

/** SHA-256 of the operation and its canonical input: equal for a faithful retry, different otherwise. */
export function requestFingerprint(operation: string, input: object): string {
  return crypto.createHash('sha256').update(operation).update('\n').update(JSON.stringify(canonical(input) ?? {})).digest('hex');
}
