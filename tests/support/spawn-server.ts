import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../src/db/embedded-postgres';

export interface SpawnedServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (to the whole process group with `processGroup`) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');

export interface SpawnOptions {
  /**
   * Run the server as the leader of its own process group, and signal the whole group on stop,
   * as a terminal does on Ctrl-C (every process started from it gets the signal).
   */
  processGroup?: boolean;
  /** Another build of the server to start (default: this checkout's dist/src/main.js). */
  main?: string;
  /** Working directory of the server (the default data dir `.data` is relative to it). */
  cwd?: string;
  /** Options for node itself, before the script (e.g. `--max-old-space-size=384`, `--require` a preload). */
  nodeArgs?: string[];
}

/**
 * Starts the built server (`node dist/src/main.js`, as `npm start` does) as a real process and
 * waits until it prints that it is ready. `npm test` builds dist/ before jest runs.
 */
export async function spawnServer(
  env: Record<string, string | undefined>,
  readyTimeoutMs = 60_000,
  options: SpawnOptions = {},
): Promise<SpawnedServer> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.main ?? MAIN], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      // Tests sign up many organisations from one address (tests/support/setup-env.ts).
      SIGNUP_MAX_PER_ADDRESS: process.env.SIGNUP_MAX_PER_ADDRESS,
      SIGNUP_MAX_GLOBAL: process.env.SIGNUP_MAX_GLOBAL,
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Stopping it takes down the embedded PostgreSQL it may have started too.
      child.kill('SIGTERM');
      reject(new Error(`server not ready within ${readyTimeoutMs} ms:\n${out}`));
    }, readyTimeoutMs);
    const check = () => {
      if (out.includes('plangraph is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      if (options.processGroup) process.kill(-child.pid!, signal);
      else child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs the built server expecting it to fail at start; resolves with exit code and output. */
export async function runServerExpectingFailure(env: Record<string, string | undefined>, timeoutMs = 30_000) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
