// The sender against real webhook receivers on loopback and the real SQLite store (and PostgreSQL's,
// when it runs here): grouping, retries, Retry-After, dead letters, a stalled or dead target beside a
// healthy one, and a sender that died mid-send.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/log.ts';
import { webhookProvider } from '../../src/notify/providers/webhook.ts';
import { CLAIM_MARK, startSender, type ResolvedTarget, type Sender, type SenderOptions } from '../../src/notify/sender.ts';
import type { NotifyEvent, OutboxEntry } from '../../src/notify/types.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/types.ts';
import { dropTestStores, openTestPostgresStore } from '../helpers/postgres-store.ts';
import { postgresReachable } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';
import { startReceiver, type Answer } from './receiver.ts';

const FAST_RETRY = { minMs: 50, maxMs: 400, rate: 3 };

function event(key: string, createdAt = Date.now()): NotifyEvent {
  return { key, kind: 'component', audience: 'operators', severity: 'critical', at: createdAt, createdAt, title: `Chat: ${key}`, text: `what happened: ${key}`, components: [{ id: 'chat', name: 'Chat', status: 'major_outage' }] };
}
const entry = (key: string, targets: string[], createdAt?: number): OutboxEntry => ({ event: event(key, createdAt), targets: targets.map((name) => ({ name })) });

const webhook = (url: string): ResolvedTarget => ({ provider: webhookProvider as ResolvedTarget['provider'], config: webhookProvider.schema.parse({ url }) });

const senders: Sender[] = [];
const sqliteStores: Store[] = [];
afterEach(async () => {
  for (const sender of senders.splice(0)) await sender.stop(100);
  for (const store of sqliteStores.splice(0)) await store.close();
  await dropTestStores();
});

function logs() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ format: 'json', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

function start(store: Store, targets: Record<string, ResolvedTarget>, over: Partial<SenderOptions> = {}) {
  const { lines, logger } = logs();
  const sender = startSender({
    store,
    notify: { groupWaitMs: 200, deadAfterMs: 60_000 },
    target: (name) => targets[name],
    site: { name: 'Chat status', url: 'https://status.example.org' },
    logger,
    retry: FAST_RETRY,
    sendTimeoutMs: 1_000,
    pollMs: 1_000,
    ...over,
  });
  senders.push(sender);
  return { sender, lines };
}

async function states(store: Store) {
  return store.outboxCounts();
}

type Engine = { name: string; open: () => Promise<Store | undefined> };
const engines: Engine[] = [
  {
    name: 'sqlite',
    open: async () => {
      const store = await openSqliteStore({ path: join(await tempDir(), 'outbox.db') });
      await store.migrate();
      sqliteStores.push(store);
      return store;
    },
  },
  {
    name: 'postgres',
    open: async () => {
      if (!(await postgresReachable())) return undefined;
      const store = await openTestPostgresStore();
      await store.migrate();
      return store;
    },
  },
];

describe.each(engines)('sender on the $name store', ({ name, open }) => {
  const opened = async () => {
    const store = await open();
    if (!store) console.log(`skipped on ${name}: PostgreSQL is not running on 127.0.0.1:5432`);
    return store;
  };

  it('groups changes written within the wait into one message per target, with a stable idempotency key', async () => {
    const store = await opened();
    if (!store) return;
    const ops = await startReceiver();
    const pager = await startReceiver();
    const { sender } = start(store, { ops: webhook(ops.url), pager: webhook(pager.url) });
    const now = Date.now();
    await store.enqueue([entry('a', ['ops', 'pager'], now), entry('b', ['ops'], now + 50), entry('c', ['ops'], now + 100)]);
    sender.wake();
    await until(() => ops.accepted().length >= 1 && pager.accepted().length >= 1, 20_000, 'both targets got their message');
    await until(() => sender.stats().sent === 4, 20_000, 'all four deliveries recorded as sent');
    expect(ops.requests).toHaveLength(1);
    expect(ops.requests[0]!.body.events.map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(ops.requests[0]!.headers['idempotency-key']).toBe(ops.requests[0]!.body.idempotencyKey);
    expect(pager.requests[0]!.body.events.map((e) => e.key)).toEqual(['a']);
    expect(await states(store)).toMatchObject({ sent: 4, pending: 0, dead: 0 });
  });

  it('retries a 500 with the same idempotency key, honours 429 Retry-After, and does not retry a 404', async () => {
    const store = await opened();
    if (!store) return;
    const flaky = await startReceiver((i) => (i === 0 ? { status: 500 } : 'ok'));
    const limited = await startReceiver((i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : 'ok'));
    const gone = await startReceiver(() => ({ status: 404, body: 'no such hook' }));
    const { sender, lines } = start(store, { flaky: webhook(flaky.url), limited: webhook(limited.url), gone: webhook(gone.url) });
    await store.enqueue([entry('x', ['flaky', 'limited', 'gone'])]);
    sender.wake();
    await until(() => flaky.accepted().length === 1 && limited.accepted().length === 1, 20_000, 'flaky and limited delivered');
    await until(() => sender.stats().dead === 1 && sender.stats().sent === 2, 20_000, 'the 404 went dead, the others sent');
    expect(flaky.requests.map((r) => r.body.idempotencyKey)).toEqual([flaky.requests[0]!.body.idempotencyKey, flaky.requests[0]!.body.idempotencyKey]);
    // Retry-After: 1 s, far more than the backoff's 50–150 ms.
    expect(limited.requests[1]!.at - limited.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(gone.requests).toHaveLength(1);
    expect(lines.find((l) => l.event === 'notify-dead')).toMatchObject({ target: 'gone', level: 'error' });
    expect(await states(store)).toMatchObject({ sent: 2, dead: 1, pending: 0 });
  });

  it('a stalled target and a dead one never hold a healthy target back; the dead one is dead after deadAfterMs', async () => {
    const store = await opened();
    if (!store) return;
    const healthy = await startReceiver();
    const stalled = await startReceiver(() => 'stall');
    const refused = await startReceiver();
    await refused.close(); // its port now refuses connections
    const { sender, lines } = start(
      store,
      { healthy: webhook(healthy.url), stalled: webhook(stalled.url), refused: webhook(refused.url) },
      { notify: { groupWaitMs: 0, deadAfterMs: 2_500 }, sendTimeoutMs: 1_500 },
    );
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      await store.enqueue([entry(`e${i}`, ['healthy', 'stalled', 'refused'])]);
      sender.wake();
      await until(() => healthy.accepted().length === i + 1, 20_000, `healthy got message ${i}`);
    }
    // Five messages to the healthy target while the stalled one held its first request for 1.5 s.
    expect(stalled.requests.length).toBeLessThanOrEqual(2);
    expect(Date.now() - t0).toBeLessThan(20_000);
    await until(() => sender.stats().dead === 10, 30_000, 'stalled and refused deliveries dead after deadAfterMs').catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(sender.stats())} ${JSON.stringify(await states(store))}\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    });
    expect(await states(store)).toMatchObject({ sent: 5, dead: 10, pending: 0 });
    const dead = lines.filter((l) => l.event === 'notify-dead').map((l) => l.target);
    expect(new Set(dead)).toEqual(new Set(['stalled', 'refused']));
  });

  it('after a crash mid-send, claimed deliveries are sent again at once and counted as possible duplicates', async () => {
    const store = await opened();
    if (!store) return;
    const ops = await startReceiver();
    const createdAt = Date.now();
    await store.enqueue([entry('claimed', ['ops'], createdAt), entry('fresh', ['ops'], createdAt)]);
    // What a sender leaves when it dies between its claim and the answer: attempts+1, a lease, the mark.
    const due = await store.dueDeliveries(Date.now(), 10);
    const claimed = due.find((d) => d.event.key === 'claimed')!.delivery;
    await store.updateDeliveries([{ ...claimed, attempts: 1, nextAttemptAt: Date.now() + 30_000, lastError: CLAIM_MARK }]);
    const { sender, lines } = start(store, { ops: webhook(ops.url) });
    await until(() => sender.stats().sent === 2, 20_000, 'both sent');
    expect(ops.accepted().flatMap((r) => r.body.events.map((e) => e.key)).sort()).toEqual(['claimed', 'fresh']);
    expect(sender.stats().duplicates).toBe(1);
    expect(lines.find((l) => l.event === 'notify-resend')).toMatchObject({ target: 'ops', events: 1 });
  });

  it('a target no longer configured: its deliveries go dead, loudly', async () => {
    const store = await opened();
    if (!store) return;
    const { sender, lines } = start(store, {});
    await store.enqueue([entry('orphan', ['removed'])]);
    sender.wake();
    await until(() => sender.stats().dead === 1, 20_000, 'dead');
    expect(lines.find((l) => l.event === 'notify-dead')!.message).toContain('no such target');
  });
});

describe('direct delivery (the outbox out of reach)', () => {
  it('sends to each target at once, retrying in memory, and says which it reached', async () => {
    const ok = await startReceiver((i): Answer => (i === 0 ? { status: 503 } : 'ok'));
    const gone = await startReceiver(() => ({ status: 410 }));
    const unreachable = { dueDeliveries: () => Promise.reject(new Error('store down')), nextDueAt: () => Promise.reject(new Error('store down')), updateDeliveries: () => Promise.reject(new Error('store down')), outboxCounts: () => Promise.reject(new Error('store down')) };
    const { sender, lines } = start(unreachable as unknown as Store, { ok: webhook(ok.url), gone: webhook(gone.url) });
    const reached = await sender.deliverDirect(entry('self:store', ['ok', 'gone']));
    expect(reached).toEqual(['ok']);
    expect(ok.accepted()).toHaveLength(1);
    expect(gone.requests).toHaveLength(1);
    await until(() => lines.some((l) => l.event === 'notify-store-down'), 10_000, 'the loop says the outbox is out of reach');
  });
});
