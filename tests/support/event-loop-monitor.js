'use strict';
/**
 * Preloaded into a server process under test (`node --require <this file> dist/src/main.js`):
 * writes one JSON line to stdout whenever the event loop was blocked for EVENT_LOOP_STALL_MS or
 * longer (default 1000), with when the stall began and ended (epoch milliseconds), so that the
 * test can tell which of its requests was running then. Plain JavaScript: it is loaded by node
 * itself, before the server's compiled code.
 */
const threshold = Number(process.env.EVENT_LOOP_STALL_MS || 1000);
const TICK_MS = 50;
let last = Date.now();
setInterval(() => {
  const now = Date.now();
  const blocked = now - last - TICK_MS;
  if (blocked >= threshold) {
    // stdout is a pipe: written synchronously on Linux, so the line is out before the next request runs.
    process.stdout.write(`${JSON.stringify({ level: 50, msg: 'event loop blocked (test monitor)', stalledMs: blocked, since: last + TICK_MS, until: now })}\n`);
  }
  last = now;
}, TICK_MS).unref();
