import autocannon from 'autocannon';

/**
 * The load generator, run as its own process by bench/run.ts: `node dist/bench/load.js '<json>'`.
 * Runs autocannon for `warmupSeconds` (discarded), then for `seconds` (measured), and prints one
 * JSON line: requests, req/s, p50/p95/p99 latency (ms, from every response's time) and errors
 * (non-200 responses and GraphQL `errors`).
 *
 * For the check-in write, each connection checks in on its own key result and sends back the
 * version the previous answer returned (`expectedVersion`), as a client would.
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
let nextKr = 0;
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
    if (config.checkIn && status === 200) {
      const version = /"version"\s*:\s*(\d+)/.exec(body)?.[1];
      if (version) versions.set(context.kr, Number(version));
    }
  };
  const setupRequest = config.checkIn
    ? (req: any, context: Record<string, any>) => {
        const krs = config.checkIn!.keyResults;
        context.kr ??= krs[nextKr++ % krs.length].id;
        context.n = (context.n ?? 0) + 1;
        const value = String(100 + (context.n % 400));
        return {
          ...req,
          body: JSON.stringify({
            query: config.checkIn!.query,
            variables: { i: { keyResultId: context.kr, value, confidence: 0.5 + (context.n % 5) / 10, note: '基准周报', expectedVersion: versions.get(context.kr) } },
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
