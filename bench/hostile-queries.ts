/**
 * Time to the answer for the hostile queries of issue 7, against a running server with the demo
 * organisation (e.g. `npm start` in development):
 *
 *   npm run build --silent && node dist/bench/hostile-queries.js http://localhost:4000
 *
 * Sends each query 5 times as the demo owner over HTTP and prints the code, the message and
 * min / median / max milliseconds; then checks that the server still answers.
 */
import { DEMO } from '../seeds/ids';

const base = process.argv[2] ?? 'http://localhost:4000';

async function post(body: unknown, token?: string) {
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.status, json };
}

async function main() {
  const login = await post({
    query: 'mutation($i: LogInInput!) { logIn(input: $i) { token } }',
    variables: { i: { email: DEMO.users.owner.email, password: DEMO.password } },
  });
  const token = login.json.data.logIn.token as string;
  const plan = await post({ query: '{ objectives(first: 1) { nodes { id keyResults { id } } } }' }, token);
  const objective = plan.json.data.objectives.nodes[0];
  let nested = '{ id }';
  for (let i = 39; i >= 0; i--) nested = i % 2 === 0 ? `{ objective ${nested} }` : `{ keyResults ${nested} }`;
  const aliases = `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: squads { totalCount }`).join(' ')} }`;
  const createKr = 'mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }';
  const cases: Array<[string, unknown]> = [
    ['KeyResult.objective / Objective.keyResults nested 40 deep', { query: `query($id: ID!) { node(id: $id) { ... on KeyResult ${nested} } }`, variables: { id: objective.keyResults[0].id } }],
    ['5,000 aliases of squads { totalCount }', { query: aliases }],
    ['createKeyResult targetValue "1e30000000"', { query: createKr, variables: { i: { objectiveId: objective.id, title: 'x', kind: 'INCREASE_TO', startValue: '0', targetValue: '1e30000000' } } }],
  ];
  for (const [name, body] of cases) {
    const times: number[] = [];
    let last = await post(body, token);
    for (let i = 0; i < 5; i++) {
      last = await post(body, token);
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    const e = last.json.errors?.[0];
    console.log(`${name}: HTTP ${last.status} ${e?.extensions?.code ?? 'no error'} in ${times[0].toFixed(1)} / ${times[2].toFixed(1)} / ${times[4].toFixed(1)} ms (min / median / max) — ${e?.message.slice(0, 120)}`);
  }
  const after = await post({ query: '{ viewer { user { displayName } } }' }, token);
  console.log(`then { viewer }: HTTP ${after.status} in ${after.ms.toFixed(1)} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
