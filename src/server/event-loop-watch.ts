import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../common/logger';

const RESOLUTION_MS = 10;

/**
 * Watches the event loop (perf_hooks.monitorEventLoopDelay) and logs a warning for every second
 * in which it was held longer than `thresholdMs` at a time: `event loop stalled` with the longest
 * stall and the 99th percentile of that second. While the loop is held, no request, event or
 * timer of the process runs. 0 turns the watch off.
 */
export function watchEventLoop(logger: Logger, thresholdMs: number): { stop(): void } {
  if (thresholdMs <= 0) return { stop: () => undefined };
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const timer = setInterval(() => {
    // The histogram holds the intervals of a 10 ms timer: what exceeds 10 ms is the stall.
    const stallMs = delay.max / 1e6 - RESOLUTION_MS;
    if (stallMs > thresholdMs) {
      logger.warn({ stallMs: Math.round(stallMs), p99Ms: Math.max(0, Math.round(delay.percentile(99) / 1e6 - RESOLUTION_MS)) }, 'event loop stalled');
    }
    delay.reset();
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
