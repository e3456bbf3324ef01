import http from 'node:http';
import jwt from 'jsonwebtoken';
import { Pool, types } from 'pg';
import { WORKLOADS, type Workload } from './workloads';

/**
 * The floor: the bench workloads answered by one hand-written SQL statement each, through `pg`
 * behind a bare `node:http` server, in its own process. It does what plangraph must do at the
 * least: parse the JSON body, verify the session token (HS256, as plangraph), decode the global
 * ids, run the statement, send `{"data": …}`. POST /<workload name>; GET /stats gives the SQL
 * statements run per workload.
 *
 * Env: DATABASE_URL, PORT, JWT_SECRET, DB_POOL_SIZE (default 10, plangraph's default).
 */
// JIT off: a floor statement that builds a whole report (the budget review) is estimated costly
// enough for PostgreSQL to JIT-compile it, about 80 ms per execution that never pays back at these
// sizes; a hand-tuned service would turn it off. plangraph's smaller statements never reach the
// JIT threshold.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10), options: '-c jit=off' });
const secret = process.env.JWT_SECRET!;
const byName = new Map<string, Workload>(WORKLOADS.map((w) => [w.name, w]));
/** json comes back as text: sent as it is, never parsed. */
const jsonAsText = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 114 ? (v: string) => v : types.getTypeParser(oid, format as 'text'))) as typeof types.getTypeParser,
};
const stats: Record<string, { requests: number; statements: number }> = {};

const uuidOf = (globalId: unknown) => {
  const raw = Buffer.from(String(globalId), 'base64url').toString('utf8');
  return raw.slice(raw.indexOf(':') + 1);
};

function params(w: Workload, userId: string, variables: Record<string, any>): unknown[] {
  switch (w.name) {
    case 'dashboardStored':
    case 'dashboardFull':
      return [userId, uuidOf(variables.squadId), uuidOf(variables.cycleId)];
    case 'budgetReview':
    case 'ledger':
    case 'spend':
      return [userId, uuidOf(variables.budgetId)];
    case 'checkIn': {
      const i = variables.i;
      return [userId, uuidOf(i.keyResultId), i.value, i.confidence, i.expectedVersion, i.note ?? null];
    }
    default:
      return [userId];
  }
}

const send = (res: http.ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') return send(res, 200, JSON.stringify(stats));
  const w = byName.get((req.url ?? '').slice(1));
  if (req.method !== 'POST' || !w) return send(res, 404, '{"errors":[{"message":"not found"}]}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: Record<string, unknown> };
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      let userId: string;
      try {
        const claims = jwt.verify(token ?? '', secret, { algorithms: ['HS256'], issuer: 'plangraph' }) as jwt.JwtPayload;
        userId = String(claims.sub);
      } catch {
        return send(res, 401, '{"errors":[{"message":"unauthenticated"}]}');
      }
      const s = (stats[w.name] ??= { requests: 0, statements: 0 });
      s.requests++;
      s.statements++;
      const result = await pool.query({ text: w.floorSql, values: params(w, userId, body.variables ?? {}), rowMode: 'array', types: jsonAsText });
      const data = result.rows[0]?.[0];
      if (data == null) return send(res, 200, '{"data":null,"errors":[{"message":"conflict or not found"}]}');
      send(res, 200, `{"data":${data}}`);
    } catch (err) {
      send(res, 500, JSON.stringify({ errors: [{ message: (err as Error).message }] }));
    }
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ ready: true, port: addr.port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
