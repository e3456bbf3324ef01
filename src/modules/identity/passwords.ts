import { hash, verify } from '@node-rs/argon2';
import type { Context } from '../../common/context';
import { AppError, ErrorCode } from '../../common/errors';

/** argon2id (the library's default algorithm) with its recommended cost (m=19 MiB, t=2, p=1). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** A hash of a random password: verifying against it costs as much as a real check. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(`dummy-${Math.random()}`);
  return dummy;
}

/**
 * At most `limit` argon2 computations at once (PASSWORD_HASH_CONCURRENCY): each takes ~20 MiB and
 * a core for tens of milliseconds, so a burst of log-ins must not starve every other request.
 * Further callers wait in a short queue (at most QUEUE_PER_SLOT per slot, at most MAX_WAIT_MS);
 * beyond that they get RATE_LIMITED at once instead of piling up.
 */
const QUEUE_PER_SLOT = 8;
const MAX_WAIT_MS = 5000;
let active = 0;
const waiting: Array<{ go: () => void; timer: NodeJS.Timeout }> = [];

function busy(): AppError {
  return new AppError(ErrorCode.RATE_LIMITED, 'The server is busy checking passwords: try again in 1 s', { retryAfterSeconds: 1 });
}

async function acquire(limit: number): Promise<void> {
  if (active < limit && waiting.length === 0) {
    active++;
    return;
  }
  if (waiting.length >= limit * QUEUE_PER_SLOT) throw busy();
  await new Promise<void>((resolve, reject) => {
    const entry = {
      go: () => {
        clearTimeout(entry.timer);
        active++;
        resolve();
      },
      timer: setTimeout(() => {
        waiting.splice(waiting.indexOf(entry), 1);
        reject(busy());
      }, MAX_WAIT_MS),
    };
    waiting.push(entry);
  });
}

function release(limit: number): void {
  active--;
  while (active < limit && waiting.length) waiting.shift()!.go();
}

/** Runs one password hash or check within the concurrency cap. */
export async function withPasswordSlot<T>(limit: number, fn: () => Promise<T>): Promise<T> {
  await acquire(limit);
  try {
    return await fn();
  } finally {
    release(limit);
  }
}

/** The number of password computations running now (tests, metrics). */
export const passwordSlotsInUse = () => active;

/** Hashes a password within the process-wide cap on concurrent hashes (PASSWORD_HASH_CONCURRENCY). */
export const hashLimited = (ctx: Pick<Context, 'config'>, password: string) =>
  withPasswordSlot(ctx.config.passwordHashConcurrency, () => hashPassword(password));

/** Checks a password within the cap; against a dummy hash when there is none, so timing does not tell. */
export async function verifyLimited(ctx: Pick<Context, 'config'>, hashed: string | null | undefined, password: string): Promise<boolean> {
  const against = hashed ?? (await dummyHash());
  return withPasswordSlot(ctx.config.passwordHashConcurrency, () => verifyPassword(against, password));
}
