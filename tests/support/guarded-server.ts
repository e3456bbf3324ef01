import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnServer, type SpawnedServer } from './spawn-server';

/**
 * The built server (`dist/src/main.js`) in a child process that a test may break: its heap is
 * capped (`--max-old-space-size`), an event-loop monitor reports every stall, each request has a
 * time limit, and a process that stopped answering (blocked event loop) or died (out of memory)
 * is replaced by a new one on the same database. So an input that would freeze or kill the
 * server becomes a finding with its input, not a hung or crashed test run.
 */
export interface GuardOptions {
  env: Record<string, string | undefined>;
  /** Heap limit of the server process, MB (default 384). */
  heapMb?: number;
  /** A stall of the event loop this long or longer is reported (default 1000 ms). */
  stallMs?: number;
  /** A request unanswered after this long is given up (default 10 000 ms). */
  timeoutMs?: number;
}

export interface Stall {
  stalledMs: number;
  since: number;
  until: number;
}

export type Outcome =
  | { kind: 'answer'; status: number; text: string }
  /** No answer in time. `blocked`: /healthz did not answer either, so the process was replaced. */
  | { kind: 'timeout'; blocked: boolean }
  /** The process ended on its own while this request ran (e.g. out of memory); `detail`: its last words. */
  | { kind: 'died'; detail: string }
  /** The connection ended because the process was replaced for another request: no verdict. */
  | { kind: 'lost'; detail: string };

export interface Sent {
  outcome: Outcome;
  requestId: string;
  startedAt: number;
  endedAt: number;
}

export interface GuardedServer {
  readonly url: string;
  /** POSTs a GraphQL request to /graphql; never throws, never waits longer than the time limit (plus a restart). */
  post(body: unknown, headers: Record<string, string>): Promise<Sent>;
  /** What the server logged for an unexpected error of this request (`msg: Type: message`). */
  causeOf(requestId: string): string | undefined;
  /** The stalls reported since the last call. */
  takeStalls(): Stall[];
  /** How many times the process was replaced, and why. */
  readonly restarts: string[];
  stop(): Promise<void>;
}

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');
/** Written by every build that finds a source changed (the build is incremental: main.js may stay as it was). */
const BUILD_INFO = path.resolve(__dirname, '../../dist/build.tsbuildinfo');
const MONITOR = path.resolve(__dirname, 'event-loop-monitor.js');

/** The newest modification time under `dir` (ms). */
function newest(dir: string): number {
  let max = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}

/** The child runs the build: refuse to test a build older than the sources (npm test builds first). */
export function assertBuildIsCurrent(): void {
  const root = path.resolve(__dirname, '../..');
  if (!fs.existsSync(MAIN) || !fs.existsSync(BUILD_INFO)) {
    throw new Error('dist/src/main.js is missing: run `npm run build` first (npm test does)');
  }
  const built = fs.statSync(BUILD_INFO).mtimeMs;
  const stale = ['src', 'migrations', 'seeds'].filter((d) => newest(path.join(root, d)) > built);
  if (stale.length) throw new Error(`dist/ is older than ${stale.join(', ')}/: run \`npm run build\` first (npm test does)`);
}

export async function startGuardedServer(options: GuardOptions): Promise<GuardedServer> {
  assertBuildIsCurrent();
  const heapMb = options.heapMb ?? 384;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const env = { LOG_LEVEL: 'error', ...options.env, EVENT_LOOP_STALL_MS: String(options.stallMs ?? 1000) };
  const causes = new Map<string, string>();
  let stalls: Stall[] = [];
  const restarts: string[] = [];

  let server!: SpawnedServer;
  /** Bumped on every replacement: a request that ran across one has no verdict. */
  let generation = 0;
  let replacing: Promise<void> | null = null;
  let stopped = false;

  const listen = (child: SpawnedServer) => {
    let pending = '';
    child.child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const o = JSON.parse(line);
          if (o.msg === 'event loop blocked (test monitor)') stalls.push({ stalledMs: o.stalledMs, since: o.since, until: o.until });
          else if (o.level >= 50) {
            const err = o.err ? `${o.err.type ?? 'Error'}: ${o.err.message}` : '';
            causes.set(String(o.requestId ?? 'ws'), err ? `${o.msg}: ${err}` : o.msg);
          }
        } catch {
          /* not a log line */
        }
      }
    });
  };

  const start = async () => {
    server = await spawnServer(env, 60_000, { main: MAIN, nodeArgs: [`--max-old-space-size=${heapMb}`, '--require', MONITOR] });
    listen(server);
  };

  /** Why the process died, from what it wrote last (node's "FATAL ERROR: … heap out of memory"). */
  const lastWords = (s: SpawnedServer) => {
    const lines = s.output().split('\n').filter((l) => l.trim() && !l.startsWith('{'));
    return (lines.find((l) => /FATAL ERROR/.test(l)) ?? lines.slice(-3).join(' | ')).trim().slice(0, 300);
  };

  const replace = (why: string): Promise<void> => {
    if (!replacing) {
      replacing = (async () => {
        generation++;
        restarts.push(why);
        const old = server;
        if (old.child.exitCode === null && old.child.signalCode === null) old.child.kill('SIGKILL');
        await old.exited;
        if (!stopped) await start();
      })().finally(() => {
        replacing = null;
      });
    }
    return replacing;
  };

  const alive = async (): Promise<boolean> => {
    try {
      const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200;
    } catch {
      return false;
    }
  };

  await start();

  return {
    get url() {
      return server.url;
    },
    restarts,
    causeOf: (id) => causes.get(id),
    takeStalls() {
      const out = stalls;
      stalls = [];
      return out;
    },
    async post(body, headers) {
      if (replacing) await replacing;
      const requestId = crypto.randomUUID();
      const mine = generation;
      const target = server;
      const startedAt = Date.now();
      const done = (outcome: Outcome): Sent => ({ outcome, requestId, startedAt, endedAt: Date.now() });
      try {
        const res = await fetch(`${target.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers, 'x-request-id': requestId },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        return done({ kind: 'answer', status: res.status, text: await res.text() });
      } catch (err) {
        const endedAt = Date.now();
        if (generation !== mine || target !== server) return done({ kind: 'lost', detail: 'the server was replaced for another request' });
        if ((err as Error).name === 'TimeoutError') {
          if (await alive()) return { outcome: { kind: 'timeout', blocked: false }, requestId, startedAt, endedAt };
          if (generation === mine) await replace('a request got no answer and /healthz none either');
          return { outcome: { kind: 'timeout', blocked: true }, requestId, startedAt, endedAt };
        }
        // The connection ended: did the process die?
        const exited = await Promise.race([target.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
        if (exited) {
          const detail = `exit ${target.child.exitCode ?? target.child.signalCode}: ${lastWords(target)}`;
          if (generation === mine) await replace(`the server died (${detail})`);
          return { outcome: { kind: 'died', detail }, requestId, startedAt, endedAt };
        }
        return done({ kind: 'lost', detail: `connection error: ${(err as Error).message}` });
      }
    },
    async stop() {
      stopped = true;
      if (replacing) await replacing;
      await server.stop('SIGTERM', 10_000);
    },
  };
}
