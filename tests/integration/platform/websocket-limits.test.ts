import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { decodeGlobalId } from '../../../src/common/ids';
import { createOrg, type TestOrg } from '../../support/factories';
import { startTestApp, type TestApp } from '../../support/test-app';
import { settle, wsClient } from '../../support/ws';

/** WebSocket limits over a real socket: frame size, subscriptions per connection, connections per user, re-authentication per event. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const wsUrl = () => `${app.url.replace(/^http/, 'ws')}/graphql`;

/** A raw graphql-transport-ws socket: sends connection_init with `payload`, resolves with the ack or the close. */
function rawConnect(payload: Record<string, unknown>): Promise<{ socket: WebSocket; acked: boolean; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket, acked: true });
    });
    socket.on('close', (code, reason) => resolve({ socket, acked: false, code, reason: String(reason) }));
    socket.on('error', (err) => reject(err));
  });
}

function publish(org: TestOrg) {
  app.events.publish({
    type: 'TEST_EVENT',
    organizationId: decodeGlobalId(org.organizationId)!.id,
    entityType: 'Squad',
    entityId: '00000000-0000-4000-8000-000000000000',
    actorId: null,
    at: new Date().toISOString(),
  });
}

/** `n` planningEvents subscriptions on one connection; resolves how many events each got, and errors. */
function subscribeMany(client: Client, n: number) {
  const received: number[] = Array(n).fill(0);
  const errors: unknown[] = [];
  const disposers = Array.from({ length: n }, (_, i) =>
    client.subscribe(
      { query: 'subscription { planningEvents { type } }' },
      { next: () => void (received[i] += 1), error: (e) => void errors.push(e), complete: () => undefined },
    ),
  );
  return { received, errors, dispose: () => disposers.forEach((d) => d()) };
}

async function until(check: () => boolean, ms = 10_000) {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await settle(20);
}

/** Publishes events until every subscription has received one (they are set up asynchronously), then zeroes the counts. */
async function warmUp(org: TestOrg, ...groups: Array<{ received: number[] }>) {
  const all = () => groups.every((g) => g.received.every((n) => n > 0));
  for (let i = 0; i < 50 && !all(); i++) {
    publish(org);
    await settle(100);
  }
  expect(all()).toBe(true);
  await settle(100);
  for (const g of groups) g.received.fill(0);
}

describe('WebSocket limits', () => {
  it('refuses a 2 MiB connection_init frame (1009) and keeps serving', async () => {
    const org = await createOrg(app);
    const big = await rawConnect({ authorization: `Bearer ${org.token}`, padding: 'x'.repeat(2 * 1024 * 1024) });
    expect(big).toMatchObject({ acked: false, code: 1009 });
    const normal = await rawConnect({ authorization: `Bearer ${org.token}` });
    expect(normal.acked).toBe(true);
    normal.socket.close();
  });

  it('re-authenticates once per connection per event, whatever the number of subscriptions', async () => {
    const org = await createOrg(app);
    const one = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    const two = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    const many = subscribeMany(one, 50);
    const single = subscribeMany(two, 1);
    await warmUp(org, many, single);
    const query = jest.spyOn(app.ds.manager, 'query');
    try {
      publish(org);
      await until(() => many.received.every((n) => n === 1) && single.received[0] === 1);
      expect(many.received).toEqual(Array(50).fill(1));
      expect(single.received).toEqual([1]);
      // One authentication per connection for this event: 2, not 51.
      expect(query).toHaveBeenCalledTimes(2);
      query.mockClear();
      publish(org);
      await until(() => many.received.every((n) => n === 2));
      expect(query).toHaveBeenCalledTimes(2);
    } finally {
      query.mockRestore();
      many.dispose();
      single.dispose();
      await one.dispose();
      await two.dispose();
    }
  });

  it('refuses subscriptions over WS_MAX_SUBSCRIPTIONS_PER_CONNECTION with TOO_MANY_SUBSCRIPTIONS', async () => {
    const org = await createOrg(app);
    const client = wsClient(app.url, { authorization: `Bearer ${org.token}` });
    const hundred = subscribeMany(client, 100);
    await warmUp(org, hundred);
    expect(hundred.errors).toEqual([]);
    const extra = subscribeMany(client, 1);
    await until(() => extra.errors.length > 0);
    expect(extra.errors).toEqual([
      [expect.objectContaining({ message: expect.stringContaining('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION'), extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', max: 100 } })],
    ]);
    // The connection stays open and its subscriptions keep receiving.
    publish(org);
    await until(() => hundred.received.every((n) => n === 1));
    expect(hundred.received).toEqual(Array(100).fill(1));
    hundred.dispose();
    await client.dispose();
  });

  it('closes a connection over WS_MAX_CONNECTIONS_PER_USER with 4429, and frees the place on close', async () => {
    const org = await createOrg(app);
    const open = await Promise.all(Array.from({ length: 20 }, () => rawConnect({ authorization: `Bearer ${org.token}` })));
    expect(open.every((c) => c.acked)).toBe(true);
    const refused = await rawConnect({ authorization: `Bearer ${org.token}` });
    expect(refused).toMatchObject({ acked: false, code: 4429 });
    expect(refused.reason).toContain('WS_MAX_CONNECTIONS_PER_USER');
    // Another user is not affected.
    const other = await rawConnect({ authorization: `Bearer ${(await createOrg(app)).token}` });
    expect(other.acked).toBe(true);
    other.socket.close();
    await new Promise((r) => {
      open[0].socket.once('close', r);
      open[0].socket.close();
    });
    await settle(100);
    const again = await rawConnect({ authorization: `Bearer ${org.token}` });
    expect(again.acked).toBe(true);
    for (const c of [...open, again]) c.socket.close();
  });
});
