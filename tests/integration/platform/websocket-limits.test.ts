import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import type { PlanningEventPayload } from '../../../src/common/event-contract';
import { decodeGlobalId } from '../../../src/common/ids';
import { addMember, createOrg, type TestOrg } from '../../support/factories';
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
    type: 'SQUAD_UPDATED',
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
    // Every statement the data source sends is logged once (prepared or not): count those.
    const query = jest.spyOn(app.ds.logger, 'logQuery');
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

/** Limits per organisation, and back-pressure, on a server with small limits. */
describe('WebSocket limits per organisation and per connection', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({
      env: { WS_MAX_CONNECTIONS_PER_ORGANIZATION: '3', WS_MAX_SUBSCRIPTIONS_PER_ORGANIZATION: '150', WS_MAX_BUFFERED_BYTES: '65536', WS_MAX_EVENT_BACKLOG: '100' },
    });
  });
  afterAll(() => limited.stop());

  const limitedUrl = () => `${limited.url.replace(/^http/, 'ws')}/graphql`;

  function connect(payload: Record<string, unknown>): Promise<{ socket: WebSocket; acked: boolean; code?: number; reason?: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(limitedUrl(), 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
      socket.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket, acked: true });
      });
      socket.on('close', (code, reason) => resolve({ socket, acked: false, code, reason: String(reason) }));
      socket.on('error', (err) => reject(err));
    });
  }

  const closed = (socket: WebSocket) => new Promise((r) => (socket.readyState === WebSocket.CLOSED ? r(null) : socket.once('close', r)));

  it('closes a connection over WS_MAX_CONNECTIONS_PER_ORGANIZATION with 4429, whoever opens it, and frees the place on close', async () => {
    const org = await createOrg(limited);
    const viewer = await addMember(limited, org, 'VIEWER');
    const open = [
      await connect({ authorization: `Bearer ${org.token}` }),
      await connect({ authorization: `Bearer ${org.token}` }),
      await connect({ authorization: `Bearer ${viewer.token}` }),
    ];
    expect(open.map((c) => c.acked)).toEqual([true, true, true]);
    for (const token of [org.token, viewer.token]) {
      const refused = await connect({ authorization: `Bearer ${token}` });
      expect(refused).toMatchObject({ acked: false, code: 4429 });
      expect(refused.reason).toContain('WS_MAX_CONNECTIONS_PER_ORGANIZATION');
    }
    // Another organisation is not affected.
    const other = await connect({ authorization: `Bearer ${(await createOrg(limited)).token}` });
    expect(other.acked).toBe(true);
    other.socket.close();
    open[2].socket.close();
    await closed(open[2].socket);
    await settle(100);
    const again = await connect({ authorization: `Bearer ${viewer.token}` });
    expect(again.acked).toBe(true);
    for (const c of [...open, again]) c.socket.close();
    await Promise.all([...open, again].map((c) => closed(c.socket)));
  });

  it('refuses subscriptions over WS_MAX_SUBSCRIPTIONS_PER_ORGANIZATION with TOO_MANY_SUBSCRIPTIONS, across connections and members', async () => {
    const org = await createOrg(limited);
    const viewer = await addMember(limited, org, 'VIEWER');
    const owner = wsClient(limited.url, { authorization: `Bearer ${org.token}` });
    const member = wsClient(limited.url, { authorization: `Bearer ${viewer.token}` });
    const hundred = subscribeMany(owner, 100);
    const fifty = subscribeMany(member, 50);
    await settle(500);
    const extra = subscribeMany(member, 1);
    await until(() => extra.errors.length > 0);
    expect(extra.errors).toEqual([
      [expect.objectContaining({ message: expect.stringContaining('WS_MAX_SUBSCRIPTIONS_PER_ORGANIZATION'), extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', max: 150 } })],
    ]);
    expect([...hundred.errors, ...fifty.errors]).toEqual([]);
    // Another organisation is not affected; a completed subscription frees its place.
    const otherOrg = await createOrg(limited);
    const other = wsClient(limited.url, { authorization: `Bearer ${otherOrg.token}` });
    const otherSubs = subscribeMany(other, 1);
    fifty.dispose();
    await settle(300);
    const again = subscribeMany(member, 1);
    await settle(300);
    expect([...otherSubs.errors, ...again.errors]).toEqual([]);
    for (const d of [hundred, again, otherSubs]) d.dispose();
    await Promise.all([owner.dispose(), member.dispose(), other.dispose()]);
  });

  it('closes a connection that does not read its messages, over WS_MAX_BUFFERED_BYTES, with 4413; the others keep receiving', async () => {
    const org = await createOrg(limited);
    const organizationId = decodeGlobalId(org.organizationId)!.id;
    const slow = await connect({ authorization: `Bearer ${org.token}` });
    expect(slow.acked).toBe(true);
    slow.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { planningEvents { type entityType entityId } }' } }));
    const closeSeen = new Promise<{ code: number; reason: string }>((resolve) => slow.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    const healthy = wsClient(limited.url, { authorization: `Bearer ${org.token}` });
    const watcher = subscribeMany(healthy, 1);
    await settle(500);
    // The slow client stops reading: what the server sends piles up in the kernel, then in its buffer.
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    // About 50 KB per message: the kernel's buffers fill after a few dozen.
    const bigType = 'X'.repeat(20_000);
    const events = 300;
    for (let i = 0; i < events; i++) {
      limited.events.publish({ type: 'SQUAD_UPDATED', organizationId, entityType: bigType, entityId: '00000000-0000-4000-8000-000000000000', actorId: null, at: new Date().toISOString() });
      if (i % 10 === 9) await settle(50);
    }
    await until(() => watcher.received[0] === events, 20_000);
    expect(watcher.received[0]).toBe(events);
    // Reading again, the client gets what was sent before the server gave up on it, then the close.
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const close = await Promise.race([closeSeen, settle(10_000).then(() => null)]);
    expect(close).toEqual({ code: 4413, reason: expect.stringContaining('WS_MAX_BUFFERED_BYTES') });
    watcher.dispose();
    await healthy.dispose();
  });

  it('closes a connection whose subscriptions fall more than WS_MAX_EVENT_BACKLOG events behind with 4413; other organisations keep receiving', async () => {
    const org = await createOrg(limited);
    const otherOrg = await createOrg(limited);
    const behind = await connect({ authorization: `Bearer ${org.token}` });
    behind.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { planningEvents { type } }' } }));
    const closeSeen = new Promise<{ code: number; reason: string }>((resolve) => behind.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    const other = wsClient(limited.url, { authorization: `Bearer ${otherOrg.token}` });
    const watcher = subscribeMany(other, 1);
    await settle(500);
    const event = (organizationId: string): PlanningEventPayload => ({
      type: 'SQUAD_UPDATED',
      organizationId,
      entityType: 'Squad',
      entityId: '00000000-0000-4000-8000-000000000000',
      actorId: null,
      at: new Date().toISOString(),
    });
    // 300 events at once: more than the subscription can take before the fan-out checks its backlog.
    for (let i = 0; i < 300; i++) limited.events.publish(event(decodeGlobalId(org.organizationId)!.id));
    const close = await Promise.race([closeSeen, settle(10_000).then(() => null)]);
    expect(close).toEqual({ code: 4413, reason: expect.stringContaining('WS_MAX_EVENT_BACKLOG') });
    limited.events.publish(event(decodeGlobalId(otherOrg.organizationId)!.id));
    await until(() => watcher.received[0] === 1);
    expect(watcher.received).toEqual([1]);
    watcher.dispose();
    await other.dispose();
  });
});
