import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Logger } from '../common/logger';

const RESOLUTION_MS = 10;

/** CPU time the whole process has used, in milliseconds. */
const cpuMsNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Watches the event loop (perf_hooks.monitorEventLoopDelay) and logs a warning for every second
 * in which it was held longer than `thresholdMs` at a time: `event loop stalled` with the longest
 * stall, the 99th percentile of that second, and `cpuMs`, the CPU time the process used during
 * its longest gap between two ticks of a 10 ms timer. While the loop is held, no request, event or
 * timer of the process runs. A stall whose `cpuMs` is well below `stallMs` was not this process's
 * code running: the process was waiting for a CPU (another process on the machine had it), which
 * only the machine's load explains. 0 turns the watch off.
 */
export function watchEventLoop(logger: Logger, thresholdMs: number): { stop(): void } {
  if (thresholdMs <= 0) return { stop: () => undefined };
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  // The same gaps, seen by a timer of ours, with the process's CPU time across each one.
  let lastWall = performance.now();
  let lastCpu = cpuMsNow();
  let longest = { gapMs: 0, cpuMs: 0 };
  const ticker = setInterval(() => {
    const wall = performance.now();
    const cpu = cpuMsNow();
    const gapMs = wall - lastWall - RESOLUTION_MS;
    if (gapMs > longest.gapMs) longest = { gapMs, cpuMs: cpu - lastCpu };
    lastWall = wall;
    lastCpu = cpu;
  }, RESOLUTION_MS);
  ticker.unref();
  const timer = setInterval(() => {
    // The histogram holds the intervals of a 10 ms timer: what exceeds 10 ms is the stall.
    const stallMs = delay.max / 1e6 - RESOLUTION_MS;
    if (stallMs > thresholdMs) {
      logger.warn(
        {
          stallMs: Math.round(stallMs),
          p99Ms: Math.max(0, Math.round(delay.percentile(99) / 1e6 - RESOLUTION_MS)),
          cpuMs: Math.round(longest.cpuMs),
        },
        'event loop stalled',
      );
    }
    delay.reset();
    longest = { gapMs: 0, cpuMs: 0 };
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      clearInterval(ticker);
      delay.disable();
    },
  };
}
