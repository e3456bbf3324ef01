import vm from 'node:vm';
import type { Express } from 'express';
import { parse } from 'graphql';
import { mountGraphiql } from '../../../src/server/graphiql';

/**
 * The GraphiQL page's own script, run against stand-ins for React, GraphiQL and graphql-ws: which
 * transport each operation takes and what credentials a subscription's connection_init carries.
 * (Whether the real bundles render and talk to a server is checked by hand in a browser.)
 */
function loadPage(options?: { demoLogin: boolean }) {
  let html = '';
  const app = {
    get: (route: string, handler: (req: unknown, res: unknown) => void) => {
      if (route === '/graphiql') handler({}, { type: () => ({ send: (body: string) => (html = body) }) });
    },
  };
  mountGraphiql(app as unknown as Express, options);
  const script = html.split('<script>')[1].split('</script>')[0];

  const wsClients: Array<{ url: string; connectionParams: Record<string, unknown>; subscribed: unknown[] }> = [];
  const httpCalls: unknown[] = [];
  let props: Record<string, any> = {};
  const sandbox = {
    location: { origin: 'http://127.0.0.1:4000' },
    document: { getElementById: () => ({}) },
    React: { createElement: (_c: unknown, p: Record<string, unknown>) => p },
    ReactDOM: { createRoot: () => ({ render: (p: Record<string, unknown>) => (props = p) }) },
    GraphiQL: Object.assign(function GraphiQL() {}, {
      createFetcher: () => (params: unknown) => {
        httpCalls.push(params);
        return Promise.resolve({ data: {} });
      },
    }),
    graphqlWs: {
      createClient: (opts: { url: string; connectionParams: Record<string, unknown> }) => {
        const client = { ...opts, subscribed: [] as unknown[] };
        wsClients.push(client);
        return {
          subscribe: (params: unknown, sink: { next(v: unknown): void; error(e: unknown): void }) => {
            client.subscribed.push(params);
            (client as any).sink = sink;
            return () => undefined;
          },
        };
      },
    },
  };
  vm.runInNewContext(script, sandbox);
  return { fetcher: props.fetcher as (params: any, opts?: any) => any, props, wsClients, httpCalls };
}

const SUBSCRIPTION = 'subscription Events { planningEvents { type } }';

describe('GraphiQL page script', () => {
  it('sends queries and mutations over HTTP with the editor headers', async () => {
    const { fetcher, httpCalls, wsClients } = loadPage();
    const query = 'mutation { logIn(input: { email: "a", password: "b" }) { token } }';
    await fetcher({ query }, { headers: { Authorization: 'Bearer t' }, documentAST: parse(query) });
    expect(httpCalls).toEqual([{ query }]);
    expect(wsClients).toEqual([]);
  });

  it("opens subscriptions over graphql-ws with the header editor's credentials in connection_init", () => {
    const { fetcher, wsClients } = loadPage();
    const observer = { next: jest.fn(), error: jest.fn(), complete: jest.fn() };
    const headers = { authorization: 'Bearer one', 'X-Organization-Id': 'org-1' };
    fetcher({ query: SUBSCRIPTION, operationName: 'Events' }, { headers, documentAST: parse(SUBSCRIPTION) }).subscribe(observer);
    expect(wsClients).toHaveLength(1);
    expect(wsClients[0].url).toBe('ws://127.0.0.1:4000/graphql');
    expect(wsClients[0].connectionParams).toEqual({ authorization: 'Bearer one', organizationId: 'org-1' });
    expect(wsClients[0].subscribed).toEqual([{ query: SUBSCRIPTION, operationName: 'Events' }]);

    // Same credentials: same connection. New token: a new connection carrying it.
    fetcher({ query: SUBSCRIPTION }, { headers, documentAST: parse(SUBSCRIPTION) }).subscribe(observer);
    fetcher({ query: SUBSCRIPTION }, { headers: { Authorization: 'Bearer two' }, documentAST: parse(SUBSCRIPTION) }).subscribe(observer);
    expect(wsClients.map((c) => c.connectionParams.authorization)).toEqual(['Bearer one', 'Bearer two']);
  });

  it('shows a refused connection as an error naming the close code and reason', () => {
    const { fetcher, wsClients } = loadPage();
    const observer = { next: jest.fn(), error: jest.fn(), complete: jest.fn() };
    fetcher({ query: SUBSCRIPTION }, { headers: {}, documentAST: parse(SUBSCRIPTION) }).subscribe(observer);
    (wsClients[0] as any).sink.error({ code: 4401, reason: 'Unauthorized' });
    expect(observer.error).toHaveBeenCalledTimes(1);
    expect(observer.error.mock.calls[0][0].message).toBe('WebSocket closed (4401: Unauthorized)');
  });

  it('opens with the demo logIn mutation and an Authorization header to fill in', () => {
    const { props } = loadPage();
    expect(props.defaultQuery).toContain('logIn(input: { email: "demo@plangraph.dev", password: "plangraph-demo" })');
    expect(JSON.parse(props.defaultHeaders)).toEqual({ Authorization: 'Bearer <token from logIn>' });
  });

  it('leaves the demo login out when asked (production)', () => {
    const { props } = loadPage({ demoLogin: false });
    expect(props.defaultQuery).toContain('logIn(input: { email: $email, password: $password })');
    expect(props.defaultQuery).not.toMatch(/plangraph-demo|demo@plangraph/);
  });
});
