import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The subscribers of `bench/subscription-fanout.ts`, in a process of their own so that their work
 * is not counted in the server's event loop. Argument: JSON `{ url, token, connections,
 * subscriptionsPerConnection, query }`. Prints one JSON line every 100 ms: messages received,
 * subscriptions that received at least one, the time of the last message, and the closes seen.
 * Reads commands from stdin: `reset` (zero the counts).
 */
interface Args {
  url: string;
  token: string;
  connections: number;
  subscriptionsPerConnection: number;
  query: string;
}

const args = JSON.parse(process.argv[2]) as Args;
let received = 0;
let lastAt = 0;
let counts: number[] = [];
const closes: Array<{ code: number; reason: string }> = [];
const errors: string[] = [];
const clients: Client[] = [];

for (let c = 0; c < args.connections; c++) {
  const client = createClient({
    url: `${args.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${args.token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (e) => void closes.push({ code: (e as { code: number }).code, reason: (e as { reason: string }).reason }) },
  });
  clients.push(client);
  for (let s = 0; s < args.subscriptionsPerConnection; s++) {
    const i = counts.length;
    counts.push(0);
    client.subscribe(
      { query: args.query },
      {
        next: (v) => {
          received += 1;
          counts[i] += 1;
          lastAt = Date.now();
          if (v.errors && errors.length < 5) errors.push(JSON.stringify(v.errors).slice(0, 300));
        },
        error: (e) => void (errors.length < 5 && errors.push(JSON.stringify(e).slice(0, 300))),
        complete: () => undefined,
      },
    );
  }
}

setInterval(() => {
  process.stdout.write(
    `${JSON.stringify({ received, subscribed: counts.filter((n) => n > 0).length, lastAt, closes: closes.length, closeCodes: [...new Set(closes.map((c) => c.code))], errors })}\n`,
  );
}, 100);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  if (d.includes('reset')) {
    received = 0;
    lastAt = 0;
    counts = counts.map(() => 0);
  }
  if (d.includes('exit')) process.exit(0);
});
