import autocannon from 'autocannon';

/**
 * The load generator, run as its own process by bench/run.ts: `node dist/bench/load.js '<json>'`.
 * Runs autocannon for `warmupSeconds` (discarded), then for `seconds` (measured), and prints one
 * JSON line: requests, req/s, p50/p95/p99 latency (ms, from every response's time) and errors
 * (non-200 responses and GraphQL `errors`).
 *
 * For the check-in write, no two requests in flight check in on the same key result, and each
 * sends the version the previous answer for that key result returned (`expectedVersion`), as a
 * client would; a CONFLICT would show as an error.
 */
export interface LoadConfig {
  url: string;
  headers: Record<string, string>;
  body?: string;
  checkIn?: { query: string; keyResults: Array<{ id: string; version: number }> };
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  firstError: string | null;
}

const config = JSON.parse(process.argv[2]) as LoadConfig;
const versions = new Map(config.checkIn?.keyResults.map((k) => [k.id, k.version]) ?? []);
/** Key results with no check-in in flight: a request takes one and gives it back with its answer. */
const free = config.checkIn?.keyResults.map((k) => k.id) ?? [];
let sent = 0;
const round = (ms: number) => Math.round(ms * 10) / 10;

function run(seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const onResponse = (status: number, body: string, context: Record<string, any>) => {
    if (status !== 200 || body.includes('"errors"')) {
      errors++;
      firstError ??= `${status} ${body.slice(0, 300)}`;
    }
    if (config.checkIn && context.kr) {
      const version = /"version"\s*:\s*(\d+)/.exec(body)?.[1];
      if (status === 200 && version) versions.set(context.kr, Number(version));
      free.push(context.kr);
      context.kr = undefined;
    }
  };
  const setupRequest = config.checkIn
    ? (req: any, context: Record<string, any>) => {
        // autocannon may reset a connection's context between requests: the key result travels in
        // it only from this request to its answer.
        const kr = free.shift();
        if (!kr) throw new Error('more connections than key results to check in on');
        context.kr = kr;
        const n = ++sent;
        return {
          ...req,
          body: JSON.stringify({
            query: config.checkIn!.query,
            variables: { i: { keyResultId: kr, value: String(100 + (n % 400)), confidence: 0.5 + (n % 5) / 10, note: '基准周报', expectedVersion: versions.get(kr) } },
          }),
        };
      }
    : undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: config.url,
        method: 'POST',
        headers: config.headers,
        body: config.body,
        connections: config.connections,
        duration: seconds,
        requests: [(setupRequest ? { method: 'POST', setupRequest, onResponse } : { method: 'POST', onResponse }) as any],
      },
      (err, result) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
        resolve({
          requests: latencies.length,
          rps: latencies.length / (result.duration || seconds),
          p50: round(pct(50)),
          p95: round(pct(95)),
          p99: round(pct(99)),
          errors,
          firstError,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
}

async function main() {
  if (config.warmupSeconds > 0) await run(config.warmupSeconds);
  const result = await run(config.seconds);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`load failed: ${(err as Error).message}\n`);
  process.exit(1);
});
