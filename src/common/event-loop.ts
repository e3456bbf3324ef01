import type { MiddlewareFn } from 'type-graphql';

/**
 * Resolves in a later turn of the event loop: timers, I/O and other requests run in between. Two
 * immediates, because one scheduled from an I/O callback runs in the same turn's check phase,
 * before any timer or other I/O.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * For a mutation taking a large input (thousands of rows): graphql-js has just coerced the
 * variables, and type-graphql is about to convert and validate them, each tens of milliseconds
 * of uninterrupted work for 10,000 rows. `@UseMiddleware(YieldBeforeArgs)` lets the event loop run
 * between the two.
 */
export const YieldBeforeArgs: MiddlewareFn = async (_data, next) => {
  await yieldToEventLoop();
  return next();
};
