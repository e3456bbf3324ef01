import crypto from 'node:crypto';
import path from 'node:path';
import type { Express } from 'express';

/**
 * GraphiQL served from the npm packages' own files (no CDN), with subscriptions over graphql-ws.
 * Headers typed in GraphiQL's header editor (Authorization, X-Organization-Id) are sent with
 * HTTP requests and, for subscriptions, as the WebSocket connection_init payload.
 */
const ASSETS: Record<string, string> = {
  'react.js': 'react/umd/react.production.min.js',
  'react-dom.js': 'react-dom/umd/react-dom.production.min.js',
  'graphiql.js': 'graphiql/dist/index.umd.js',
  'graphiql.css': 'graphiql/dist/style.css',
  'graphql-ws.js': 'graphql-ws/umd/graphql-ws.min.js',
};

function resolveAsset(rel: string): string {
  const [pkg, ...rest] = rel.split('/');
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), ...rest);
}

const page = (defaultQuery: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>plangraph GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL...</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphql-ws.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script>
    (function () {
      var httpUrl = location.origin + '/graphql';
      var wsUrl = httpUrl.replace(/^http/, 'ws');
      function pick(h, name) {
        for (var k in h) if (k.toLowerCase() === name) return h[k];
        return undefined;
      }
      // GraphiQL hands each operation the headers from its editor (it keeps them in localStorage
      // only when asked to persist them). A subscription goes over a WebSocket whose
      // connection_init carries those headers: one client per distinct set of credentials.
      var wsClients = {};
      function wsClientFor(headers) {
        var params = { authorization: pick(headers, 'authorization'), organizationId: pick(headers, 'x-organization-id') };
        var key = JSON.stringify(params);
        if (!wsClients[key]) wsClients[key] = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: params });
        return wsClients[key];
      }
      function isSubscription(params, opts) {
        var doc = opts && opts.documentAST;
        if (!doc) return /^\\s*subscription\\b/.test(params.query);
        return doc.definitions.some(function (d) {
          return d.kind === 'OperationDefinition' && d.operation === 'subscription' &&
            (!params.operationName || (d.name && d.name.value === params.operationName));
        });
      }
      function asError(e) {
        if (e instanceof Error) return e;
        if (e && typeof e.code === 'number') return new Error('WebSocket closed (' + e.code + (e.reason ? ': ' + e.reason : '') + ')');
        return new Error(String(e));
      }
      var httpFetcher = GraphiQL.createFetcher({ url: httpUrl });
      function fetcher(params, opts) {
        if (!isSubscription(params, opts)) return httpFetcher(params, opts);
        var client = wsClientFor((opts && opts.headers) || {});
        return {
          subscribe: function (observer) {
            var unsubscribe = client.subscribe(params, {
              next: function (value) { observer.next(value); },
              complete: function () { observer.complete(); },
              error: function (e) {
                // GraphQL errors for the operation arrive as a list; show them as a result.
                if (Array.isArray(e)) { observer.next({ errors: e }); observer.complete(); return; }
                observer.error(asError(e));
              },
            });
            return { unsubscribe: unsubscribe };
          },
        };
      }
      ReactDOM.createRoot(document.getElementById('graphiql')).render(
        React.createElement(GraphiQL, {
          fetcher: fetcher,
          defaultEditorToolsVisibility: true,
          defaultHeaders: JSON.stringify({ Authorization: 'Bearer <token from logIn>' }, null, 2),
          defaultQuery: ${JSON.stringify(defaultQuery)},
        }),
      );
    })();
  </script>
</body>
</html>`;

const DEMO_QUERY = 'mutation LogIn {\n  logIn(input: { email: "demo@plangraph.dev", password: "plangraph-demo" }) {\n    token\n    organization { name slug }\n  }\n}\n';
const PLAIN_QUERY = 'mutation LogIn($email: String!, $password: String!) {\n  logIn(input: { email: $email, password: $password }) {\n    token\n    organization { name slug }\n  }\n}\n';

/**
 * The page's Content-Security-Policy: its own inline script by hash, scripts and styles from
 * /graphiql/assets, the bundled fonts (data: URLs), GraphQL over HTTP and WebSocket to this host.
 */
function contentSecurityPolicy(html: string, host: string | undefined): string {
  const script = html.split('<script>')[1].split('</script>')[0];
  const hash = crypto.createHash('sha256').update(script, 'utf8').digest('base64');
  const sameHost = host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    // GraphiQL's editor (CodeMirror) and React set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sameHost}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface GraphiqlOptions {
  /** Open with the demo organisation's logIn filled in (never in production). */
  demoLogin: boolean;
}

export function mountGraphiql(app: Express, options: GraphiqlOptions = { demoLogin: true }): void {
  const files = Object.fromEntries(Object.entries(ASSETS).map(([name, rel]) => [name, resolveAsset(rel)]));
  const html = page(options.demoLogin ? DEMO_QUERY : PLAIN_QUERY);
  app.get('/graphiql', (req, res) => {
    res.setHeader?.('content-security-policy', contentSecurityPolicy(html, req.headers?.host));
    res.type('html').send(html);
  });
  app.get('/graphiql/assets/:name', (req, res) => {
    const file = files[req.params.name];
    if (!file) {
      res.status(404).send('not found');
      return;
    }
    res.sendFile(file, { maxAge: '1d' });
  });
}
