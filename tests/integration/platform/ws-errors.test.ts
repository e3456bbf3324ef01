import { createOrg } from '../../support/factories';
import { startTestApp, type TestApp } from '../../support/test-app';
import { wsClient } from '../../support/ws';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** Subscribes and resolves with the errors the server answers (or [] when it accepts the operation). */
function errorsOf(client: ReturnType<typeof wsClient>, query: string, variables: Record<string, unknown>) {
  return new Promise<Array<{ message: string; extensions?: { code?: string } }>>((resolve) => {
    const collected: Array<{ message: string; extensions?: { code?: string } }> = [];
    const dispose = client.subscribe(
      { query, variables },
      {
        // Bad variables come back as a result with errors, then complete; invalid operations as an error.
        next: (v) => collected.push(...((v.errors ?? []) as Array<{ message: string; extensions?: { code?: string } }>)),
        error: (e) => resolve(Array.isArray(e) ? e : [{ message: String(e) }]),
        complete: () => resolve(collected),
      },
    );
    setTimeout(() => {
      dispose();
      resolve(collected);
    }, 1000);
  });
}

describe('graphql-ws errors', () => {
  it('answers bad variables and invalid operations as the client’s errors, with a code, not INTERNAL_SERVER_ERROR', async () => {
    const org = await createOrg(app);
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    try {
      const EVENTS = `subscription($filter: PlanningEventsFilter) { planningEvents(filter: $filter) { type } }`;
      // As over HTTP: bad variables are BAD_USER_INPUT, an operation the schema does not
      // validate is GRAPHQL_VALIDATION_FAILED (checked before it runs, with the query limits).
      for (const [query, variables, code] of [
        [EVENTS, { filter: 'not an object' }, 'BAD_USER_INPUT'],
        [EVENTS, { filter: { types: [{ nested: true }] } }, 'BAD_USER_INPUT'],
        [EVENTS, { filter: { unknownField: 1 } }, 'BAD_USER_INPUT'],
        [`subscription { keyResultCheckedIn(filter: { nope: 1 }) { checkIn { id } } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
        [`subscription { taskAssigned { noSuchField } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      ] as const) {
        const errors = await errorsOf(client, query, variables);
        expect(errors.length).toBeGreaterThan(0);
        for (const e of errors) expect(e.extensions?.code).toBe(code);
      }
    } finally {
      await client.dispose();
    }
  });
});
