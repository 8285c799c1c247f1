import { afterEach, describe, expect, it } from 'vitest';
import { StatuspostError } from '../../src/errors.ts';
import { latestPostgresVersion, postgresMigrations } from '../../src/store/migrations/postgres.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { DAY_MS, toEpochDay, type DailyRollup, type Store } from '../../src/store/types.ts';
import { cuttableProxy } from '../helpers/cuttable-proxy.ts';
import { freePort } from '../helpers/net.ts';
import { openTestClient, postgresReachable, testDatabase } from '../helpers/postgres.ts';
import { dropTestStores, openTestPostgresStore, uniqueSchema } from '../helpers/postgres-store.ts';
import { componentDay, describeStoreContract, notifyEvent, outboxEntry, result, subscriber } from './contract.ts';

const reachable = await postgresReachable();
const T0 = Date.UTC(2026, 10, 2);

afterEach(dropTestStores);

describeStoreContract(
  'postgres',
  async () => {
    const schema = uniqueSchema();
    return { store: await openTestPostgresStore(schema), reopen: () => openTestPostgresStore(schema) };
  },
  !reachable,
);

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<StatuspostError> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(StatuspostError);
  return error as StatuspostError;
}

describe.skipIf(!reachable)('postgres store', () => {
  it('lets two locations migrate and record into one schema at the same time', async () => {
    const schema = uniqueSchema();
    const stores = [await openTestPostgresStore(schema), await openTestPostgresStore(schema)];
    // Both intern the same new messages in every round, so the ON CONFLICT paths really race.
    const run = async (store: Store, location: string) => {
      await store.migrate();
      for (let round = 0; round < 20; round++) {
        const at = T0 + round * 60_000;
        await store.record(
          [
            result('api', at, 'up', { message: `200 OK in ${round} ms` }),
            result('db', at, round % 3 === 0 ? 'down' : 'up', { message: `round ${round}` }),
          ],
          location,
        );
      }
    };
    await Promise.all([run(stores[0]!, 'dc1'), run(stores[1]!, 'dc2')]);

    const [one] = stores;
    expect(await one!.series()).toEqual([
      { checkId: 'api', location: 'dc1' },
      { checkId: 'api', location: 'dc2' },
      { checkId: 'db', location: 'dc1' },
      { checkId: 'db', location: 'dc2' },
    ]);
    const rows = await one!.results({ since: 0 });
    expect(rows).toHaveLength(80);
    expect(rows.filter((r) => r.location === 'dc2' && r.checkId === 'api').map((r) => r.message)).toEqual(
      Array.from({ length: 20 }, (_, round) => `200 OK in ${round} ms`),
    );
    // Each shared message was kept once.
    const client = await openTestClient();
    const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".messages`);
    expect(Number(counted[0]!.n)).toBe(40);
  });

  it('refuses a schema newer than this code', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    await store.record([result('api', T0)], 'dc1');
    const client = await openTestClient();
    await client.query(`INSERT INTO "${schema}".statuspost_schema (version, name) VALUES (999, 'from the future')`);

    const error = await rejection((await openTestPostgresStore(schema)).migrate());
    expect(error.code).toBe('SP_STORE_TOO_NEW');
    expect(error.message).toContain(`version 999, newer than this statuspost knows (${latestPostgresVersion})`);
    expect(error.hint).toMatch(/upgrade statuspost/);
    // Nothing was touched.
    expect(await store.results({ since: 0 })).toHaveLength(1);
  });

  it('records its schema version, and migrates a version 1 schema to the latest version, keeping its data', async () => {
    const client = await openTestClient();
    const versions = async (schema: string) =>
      (await client.query<{ version: number; name: string }>(`SELECT version, name FROM "${schema}".statuspost_schema ORDER BY version`)).rows;
    const both = [
      { version: 1, name: 'initial' },
      { version: 2, name: 'component days' },
      { version: 3, name: 'outbox and subscribers' },
      { version: 4, name: 'daily partitions, following, lease and verdicts' },
    ];
    const fresh = uniqueSchema();
    await (await openTestPostgresStore(fresh)).migrate();
    expect(await versions(fresh)).toEqual(both);

    // A schema as the first release left it: migration 1 only, with a result in it.
    const schema = uniqueSchema();
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query('CREATE TABLE statuspost_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    await client.query(postgresMigrations[0]!.sql);
    await client.query("INSERT INTO statuspost_schema (version, name) VALUES (1, 'initial')");
    await client.query("INSERT INTO series (check_id, location) VALUES ('api', 'dc1')");
    await client.query("INSERT INTO messages (text) VALUES ('200 OK')");
    await client.query('INSERT INTO results (series_id, started_at, status, latency, message_id) VALUES (1, $1, 0, 1250, 1)', [T0]);
    await client.query('COMMIT');
    const exists = async () => (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${schema}".component_days`])).rows[0]!.t;
    expect(await exists()).toBeNull();

    const store = await openTestPostgresStore(schema);
    await store.migrate();
    expect(await versions(schema)).toEqual(both);
    expect(await exists()).not.toBeNull();
    expect((await store.results({ since: 0 })).map((r) => [r.checkId, r.startedAt, r.message])).toEqual([['api', T0, '200 OK']]);
    const day = componentDay('api', 'dc1', 0, ['operational', 'major_outage']);
    await store.saveComponentDays([day]);
    expect(await store.componentDays({ sinceDay: 0 })).toEqual([day]);
    await store.migrate(); // nothing left to do
    expect(await versions(schema)).toEqual(both);
  });

  it('migrates a version 2 schema to version 3 (outbox and subscribers), keeping its results and component days', async () => {
    const client = await openTestClient();
    // A schema as the release before the outbox left it: migrations 1 and 2, with data in them.
    const schema = uniqueSchema();
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query('CREATE TABLE statuspost_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const migration of postgresMigrations.slice(0, 2)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO statuspost_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query("INSERT INTO series (check_id, location) VALUES ('api', 'dc1')");
    await client.query("INSERT INTO messages (text) VALUES ('200 OK'), ('connection refused')");
    await client.query('INSERT INTO results (series_id, started_at, status, latency, message_id) VALUES (1, $1, 0, 1250, 1), (1, $2, 2, NULL, 2)', [T0, T0 + 60_000]);
    await client.query("INSERT INTO component_days (component_id, location, day, base, segments, final) VALUES ('api', 'dc1', $1, $2, '[[0,86400000,0]]', true)", [
      toEpochDay(T0),
      T0,
    ]);
    await client.query('COMMIT');

    const store = await openTestPostgresStore(schema);
    await store.migrate();
    const { rows } = await client.query<{ version: number; name: string }>(`SELECT version, name FROM "${schema}".statuspost_schema WHERE version = 3`);
    expect(rows).toEqual([{ version: 3, name: 'outbox and subscribers' }]);
    expect((await store.results({ since: 0 })).map((r) => [r.startedAt, r.status, r.message])).toEqual([
      [T0, 'up', '200 OK'],
      [T0 + 60_000, 'down', 'connection refused'],
    ]);
    expect(await store.componentDays({ sinceDay: 0 })).toEqual([
      { componentId: 'api', location: 'dc1', day: toEpochDay(T0), segments: [{ from: T0, to: T0 + 86_400_000, status: 'operational' }], final: true },
    ]);
    await store.record([result('api', T0 + 120_000)], 'dc1', [outboxEntry(notifyEvent('component:api:up', T0 + 120_000), 'ops')]);
    expect(await store.results({ since: 0 })).toHaveLength(3);
    expect(await store.outboxCounts()).toEqual({ pending: 1, sent: 0, dead: 0, silenced: 0 });
    await store.saveSubscriber(subscriber('email:1'));
    expect(await store.subscribers()).toEqual([subscriber('email:1')]);
    await store.migrate(); // nothing left to do
    expect((await client.query(`SELECT 1 FROM "${schema}".statuspost_schema`)).rowCount).toBe(latestPostgresVersion);
  });

  it('lets two processes enqueue the same events at the same time: one event per key, one delivery per target', async () => {
    const schema = uniqueSchema();
    const stores = [await openTestPostgresStore(schema), await openTestPostgresStore(schema), await openTestPostgresStore(schema)];
    await stores[0]!.migrate();
    // Each writer takes the keys in its own order and in overlapping batches, and half of them also
    // write a result with their entries, as the daemon does; all of them run at once, round after round.
    const keys = Array.from({ length: 30 }, (_, i) => `component:api:${i}`);
    const entry = (key: string, targets: string[]) => outboxEntry(notifyEvent(key, T0 + Number(key.split(':')[2])), ...targets);
    let fresh = 0;
    for (let round = 0; round < 5; round++) {
      const batch = keys.slice(round * 6, round * 6 + 12);
      const counts = await Promise.all([
        stores[0]!.enqueue(batch.map((k) => entry(k, ['a', 'b']))),
        stores[1]!.enqueue([...batch].reverse().map((k) => entry(k, ['b', 'c']))),
        stores[2]!.record([result('api', T0 + round)], `dc${round}`, batch.map((k) => entry(k, ['a']))).then(() => 0),
      ]);
      fresh += counts[0]! + counts[1]!;
    }
    const events = await stores[0]!.events({ since: 0 });
    expect(events.map((e) => e.key).sort()).toEqual([...keys].sort());
    expect(fresh).toBeLessThanOrEqual(keys.length);
    const client = await openTestClient();
    // Every event has exactly the targets of the one entry that won it.
    const { rows } = await client.query<{ key: string; targets: string }>(
      `SELECT event_key AS key, string_agg(target, ',' ORDER BY target) AS targets FROM "${schema}".deliveries GROUP BY event_key`,
    );
    expect(rows).toHaveLength(keys.length);
    for (const row of rows) expect(['a,b', 'b,c', 'a']).toContain(row.targets);
    expect(await stores[0]!.results({ since: 0 })).toHaveLength(5);
  });

  it('stores a component day as a base and offsets, with status codes', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    await store.saveComponentDays([
      {
        componentId: 'api',
        location: 'dc1',
        day: toEpochDay(T0),
        segments: [
          { from: T0 + 60_000, to: T0 + 3_600_000, status: 'operational' },
          { from: T0 + 3_600_000, to: T0 + 7_200_000, status: null },
          { from: T0 + 7_200_000, to: T0 + 7_300_000, status: 'degraded_performance' },
          { from: T0 + 7_300_000, to: T0 + 7_400_000, status: 'partial_outage' },
          { from: T0 + 7_400_000, to: T0 + 86_400_000, status: 'major_outage' },
        ],
        final: true,
      },
    ]);
    const client = await openTestClient();
    const { rows } = await client.query(`SELECT component_id, location, day, base::float8 AS base, segments, final FROM "${schema}".component_days`);
    expect(rows).toEqual([
      {
        component_id: 'api',
        location: 'dc1',
        day: toEpochDay(T0),
        base: T0 + 60_000,
        segments: '[[0,3540000,0],[3540000,7140000,null],[7140000,7240000,1],[7240000,7340000,2],[7340000,86340000,3]]',
        final: true,
      },
    ]);
  });

  it('rejects with SP_STORE_UNAVAILABLE when the server cannot be reached, naming neither the URL nor the password', async () => {
    const password = 'pa55-w0rd-never-shown';
    const url = `postgres://statuspost:${password}@127.0.0.1:${await freePort()}/test`;
    const store = await openPostgresStore({ url, schema: 'sp_nowhere' }); // opening is lazy: it cannot fail here
    try {
      for (const call of [() => store.migrate(), () => store.record([result('api', T0)], 'dc1'), () => store.results({ since: 0 })]) {
        const error = await rejection(call());
        expect(error.code).toBe('SP_STORE_UNAVAILABLE');
        expect(error.message).toMatch(/unavailable: connection refused \(ECONNREFUSED\)/);
        expect(error.cause).toBeDefined();
        for (const text of [error.message, error.hint ?? '', String(error)]) {
          expect(text).not.toContain(password);
          expect(text).not.toContain(url);
        }
      }
    } finally {
      await store.close();
    }
  });

  it('survives its backends being terminated, and the next call works again', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    await store.record([result('api', T0)], 'dc1');
    // Several connections in the pool, all idle afterwards.
    await Promise.all(Array.from({ length: 4 }, () => store.results({ since: 0 })));

    const admin = await openTestClient();
    // Only this store's backends: their last statement named its schema.
    const terminate = async () => {
      const { rows } = await admin.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid, 5000) AS killed FROM pg_stat_activity
          WHERE application_name = 'statuspost' AND datname = $1 AND query LIKE $2`,
        [testDatabase.database, `%${schema}%`],
      );
      return rows.filter((row) => row.killed).length;
    };

    // Straight after: the pool may not have noticed yet, so the call meets a dead client first.
    expect(await terminate()).toBeGreaterThanOrEqual(2);
    expect((await store.results({ since: 0 })).map((r) => r.startedAt)).toEqual([T0]);

    // After a pause: the idle clients have emitted their errors (fatal without a listener).
    await Promise.all(Array.from({ length: 4 }, () => store.results({ since: 0 })));
    expect(await terminate()).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.record([result('api', T0 + 1_000, 'down')], 'dc1');
    expect((await store.results({ since: 0 })).map((r) => r.status)).toEqual(['up', 'down']);
  });

  it('redoes a write whose backend was killed in the middle of it, on another connection', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    await store.record([result('api', T0)], 'dc1');

    // Another session holds the row the store is about to write, so the store's INSERT waits.
    const holder = await openTestClient();
    await holder.query('BEGIN');
    await holder.query(`INSERT INTO "${schema}".results (series_id, started_at, status, message_id) VALUES (1, $1, 0, 1)`, [T0 + 1_000]);
    const pending = store.record([result('api', T0 + 1_000, 'down')], 'dc1');

    const admin = await openTestClient();
    let killed = 0;
    for (let tries = 0; killed === 0 && tries < 100; tries++) {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
          WHERE application_name = 'statuspost' AND wait_event_type = 'Lock' AND query LIKE $1`,
        [`%${schema}%`],
      );
      killed = rowCount ?? 0;
      if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(killed).toBe(1);
    await holder.query('ROLLBACK');

    await pending; // retried after the kill, and written once the holder let go
    expect((await store.results({ since: 0 })).map((r) => [r.startedAt - T0, r.status])).toEqual([
      [0, 'up'],
      [1_000, 'down'],
    ]);
  });

  it('waits for another writer of the same event key: skips it if that one commits, writes it if that one rolls back', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    const admin = await openTestClient();
    /** Resolves once one of the store's statements waits on a lock. */
    const waitingOnLock = async () => {
      for (let tries = 0; tries < 500; tries++) {
        const { rowCount } = await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'statuspost' AND wait_event_type = 'Lock' AND query LIKE $1`,
          [`%${schema}%events%`],
        );
        if (rowCount) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the store never waited on the other writer');
    };
    const holder = await openTestClient();
    const hold = async (key: string) => {
      await holder.query('BEGIN');
      await holder.query(`INSERT INTO "${schema}".events (key, kind, audience, created_at, event) VALUES ($1, 'component', 'operators', $2, $3)`, [
        key,
        T0,
        JSON.stringify(notifyEvent(key, T0, { title: 'from the other writer' })),
      ]);
    };
    const targets = async (key: string) =>
      (await admin.query<{ target: string }>(`SELECT target FROM "${schema}".deliveries WHERE event_key = $1 ORDER BY target`, [key])).rows.map(
        (row) => row.target,
      );

    // The other writer commits: the store's entry is a duplicate, skipped with its deliveries.
    await hold('committed');
    const skipped = store.record([result('api', T0)], 'dc1', [outboxEntry(notifyEvent('committed', T0), 'ops'), outboxEntry(notifyEvent('free', T0), 'ops')]);
    await waitingOnLock();
    await holder.query('COMMIT');
    await skipped;
    expect(await targets('committed')).toEqual([]);
    expect(await targets('free')).toEqual(['ops']);
    expect((await store.events({ since: 0 })).map((e) => [e.key, e.title])).toEqual([
      ['committed', 'from the other writer'],
      ['free', 'API: major outage'],
    ]);
    expect(await store.results({ since: 0 })).toHaveLength(1);

    // The other writer rolls back: the store's entry is new after all.
    await hold('rolled-back');
    const written = store.enqueue([outboxEntry(notifyEvent('rolled-back', T0), 'ops', 'mail')]);
    await waitingOnLock();
    await holder.query('ROLLBACK');
    expect(await written).toBe(1);
    expect(await targets('rolled-back')).toEqual(['mail', 'ops']);
  });

  it('rejects while the server is gone and works again once it is back', async () => {
    const proxy = await cuttableProxy(testDatabase.port, testDatabase.host);
    const url = `postgres://${testDatabase.user}@127.0.0.1:${proxy.port}/${testDatabase.database}`;
    const store = await openTestPostgresStore(uniqueSchema(), url);
    await store.migrate();
    await store.record([result('api', T0)], 'dc1');

    await proxy.cut();
    const error = await rejection(store.record([result('api', T0 + 1_000)], 'dc1'));
    expect(error.code).toBe('SP_STORE_UNAVAILABLE');
    for (const call of [() => store.resultsAfter(null, 10), () => store.acquireLease('publisher', 'one', 10_000), () => store.fenced('publisher', 1, {}), () => store.verdicts()]) {
      expect((await rejection(call())).code).toBe('SP_STORE_UNAVAILABLE');
    }
    expect((await rejection(store.streamResults({ since: 0 })[Symbol.asyncIterator]().next())).code).toBe('SP_STORE_UNAVAILABLE');

    await proxy.restore();
    await store.record([result('api', T0 + 2_000)], 'dc1');
    expect((await store.results({ since: 0 })).map((r) => r.startedAt - T0)).toEqual([0, 2_000]);
  });

  /** Resolves once `condition()` holds (async), re-checked every 20 ms; fails the test after `ms`. */
  const eventually = async (condition: () => Promise<boolean>, ms: number, what: string) => {
    const end = performance.now() + ms;
    while (!(await condition())) {
      if (performance.now() > end) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const partitions = async (client: Awaited<ReturnType<typeof openTestClient>>, schema: string) =>
    (
      await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
        [`"${schema}".results`],
      )
    ).rows.map((row) => row.name);
  const partitionOf = (at: number) => `results_${new Date(at).toISOString().slice(0, 10).replaceAll('-', '')}`;

  it('follows two transactions that commit out of order: the later one waits for the earlier, nothing is lost or repeated', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    await store.record([result('api', T0)], 'a'); // interns series 1 and message 1
    const start = await store.resultsAfter(null, 100);
    const insert = (client: Awaited<ReturnType<typeof openTestClient>>, at: number) =>
      client.query(`INSERT INTO "${schema}".results (series_id, started_at, status, message_id) VALUES (1, $1, 0, 1)`, [at]);
    const early = await openTestClient();
    const late = await openTestClient();
    await early.query('BEGIN');
    await insert(early, T0 + 1_000); // the older transaction id
    await late.query('BEGIN');
    await insert(late, T0 + 2_000);
    await late.query('COMMIT'); // commits first

    // The earlier transaction is still open: the later one's row waits with it.
    const seen: number[] = [];
    let cursor = start.cursor;
    const poll = async () => {
      const page = await store.resultsAfter(cursor, 1);
      cursor = page.cursor;
      seen.push(...page.results.map((r) => r.startedAt - T0));
    };
    await poll();
    await poll();
    expect(seen).toEqual([]);
    await early.query('COMMIT');
    // Other sessions of the shared server may hold the horizon back a moment: polled until both came.
    await eventually(async () => (await poll(), seen.length >= 2), 10_000, 'both rows followed');
    await poll();
    expect(seen).toEqual([1_000, 2_000]);
  });

  it('makes a takeover wait while the holder is inside fenced(), until its swap is committed', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    const other = await openTestPostgresStore(schema);
    await store.migrate();
    const grant = (await store.acquireLease('publisher', 'one', 500))!;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const order: string[] = [];
    let inside = false;
    const fenced = store.fenced('publisher', grant.token, { verdicts: [{ checkId: 'api', status: 'down', since: T0, at: T0, locations: ['a', 'b'] }] }, async () => {
      inside = true;
      await gate;
      order.push('swap');
    });
    await eventually(async () => inside, 10_000, 'inside the swap');
    // Past the lease's expiry the takeover still waits on the row lock.
    await eventually(async () => Date.now() > grant.expiresAt + 50, 10_000, 'the lease expired');
    const takeover = other.acquireLease('publisher', 'two', 10_000).then((g) => (order.push('takeover'), g));
    const admin = await openTestClient();
    await eventually(
      async () =>
        ((
          await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'statuspost' AND wait_event_type = 'Lock' AND query LIKE $1`, [
            `%${schema}%leases%`,
          ])
        ).rowCount ?? 0) > 0,
      10_000,
      'the takeover waits on the lease row',
    );
    expect(order).toEqual([]);
    open();
    await fenced;
    const next = await takeover;
    expect(order).toEqual(['swap', 'takeover']);
    expect(next!.token).toBe(grant.token + 1);
    expect(await other.verdicts()).toHaveLength(1);
    await expect(store.fenced('publisher', grant.token, {}, async () => {
        order.push('late swap');
      })).rejects.toMatchObject({ code: 'SP_LEASE_LOST' });
    expect(order).toEqual(['swap', 'takeover']);
  });

  it('migrates a version 3 schema to daily partitions keeping every row, unique key and duplicate-ignoring included', async () => {
    const client = await openTestClient();
    const schema = uniqueSchema();
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query('CREATE TABLE statuspost_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const migration of postgresMigrations.filter((m) => m.version <= 3)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO statuspost_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query("INSERT INTO series (check_id, location) VALUES ('api', 'dc1'), ('db', 'dc2')");
    await client.query("INSERT INTO messages (text) VALUES ('200 OK'), ('connection refused')");
    // Five days of a result every 10 minutes for two series, one failing with details now and then.
    await client.query(
      `INSERT INTO results (series_id, started_at, status, latency, message_id, details)
        SELECT s, $1::bigint + i * 600000, CASE WHEN i % 50 = 0 THEN 2 ELSE 0 END, CASE WHEN i % 50 = 0 THEN NULL ELSE 1000 + i END,
          CASE WHEN i % 50 = 0 THEN 2 ELSE 1 END, CASE WHEN i % 50 = 0 THEN '{"code":"ECONNREFUSED"}' END
        FROM generate_series(0, 5 * 144 - 1) AS i, generate_series(1, 2) AS s`,
      [T0],
    );
    await client.query('COMMIT');
    const before = await openTestPostgresStore(schema);
    const rowsBefore = (await client.query(`SELECT count(*)::integer AS n FROM "${schema}".results`)).rows[0].n;
    expect(rowsBefore).toBe(2 * 5 * 144);
    const snapshot = await before.results({ since: 0 });
    await before.migrate();

    expect((await client.query(`SELECT count(*)::integer AS n FROM "${schema}".results`)).rows[0].n).toBe(rowsBefore);
    expect(await before.results({ since: 0 })).toEqual(snapshot);
    const days = await partitions(client, schema);
    for (let d = 0; d < 5; d++) expect(days).toContain(partitionOf(T0 + d * DAY_MS));
    expect(days).toContain(partitionOf(Date.now())); // and the days around today
    expect(days).toContain(partitionOf(Date.now() + 2 * DAY_MS));
    const kind = await client.query(`SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'results'`, [schema]);
    expect(kind.rows[0].relkind).toBe('p');
    // The duplicate-ignoring key holds: a result already stored is ignored, a new one is added.
    await before.record([result('api', T0 + 600_000, 'down'), result('api', T0 + 1, 'down')], 'dc1');
    expect((await client.query(`SELECT count(*)::integer AS n FROM "${schema}".results`)).rows[0].n).toBe(rowsBefore + 1);
    expect((await before.results({ checkId: 'api', since: T0, until: T0 + 600_001 })).map((r) => r.status)).toEqual(['down', 'down', 'up']);
    // Moved rows are history: a follower never gets them.
    const start = await before.resultsAfter(null, 10);
    expect((await before.resultsAfter(start.cursor, 10)).results).toEqual([]);
    await before.migrate(); // nothing left to do
  });

  it('prunes by dropping the partition of a day final for every series, and never loses a day that is not', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    const client = await openTestClient();
    const rows = [];
    for (let t = T0; t < T0 + 3 * DAY_MS; t += 3_600_000) rows.push(result('api', t), result('db', t + 1));
    await store.record(rows, 'dc1');
    const rollup = (checkId: string, day: number, final: boolean): DailyRollup => ({
      checkId,
      location: 'dc1',
      day: toEpochDay(T0) + day,
      upMs: DAY_MS,
      degradedMs: 0,
      downMs: 0,
      noDataMs: 0,
      upCount: 24,
      degradedCount: 0,
      downCount: 0,
      latency: null,
      final,
    });
    // Day 0 final for both; day 1 final for api only; day 2 for neither.
    await store.saveRollups([rollup('api', 0, true), rollup('db', 0, true), rollup('api', 1, true), rollup('db', 1, false)]);
    expect(await partitions(client, schema)).toEqual(expect.arrayContaining([0, 1, 2].map((d) => partitionOf(T0 + d * DAY_MS))));

    // Another process that has written into day 0, so it believes that day's partition exists.
    const other = await openTestPostgresStore(schema);
    await other.record([result('api', T0 + 7)], 'dc1');

    expect(await store.prune(T0 + 3 * DAY_MS)).toBe(2 * 24 + 1 + 24);
    const left = await partitions(client, schema);
    expect(left).not.toContain(partitionOf(T0));
    expect(left).toEqual(expect.arrayContaining([partitionOf(T0 + DAY_MS), partitionOf(T0 + 2 * DAY_MS)]));
    const kept = await store.results({ since: 0 });
    expect(kept.filter((r) => r.startedAt < T0 + 2 * DAY_MS).every((r) => r.checkId === 'db')).toBe(true);
    expect(kept).toHaveLength(24 + 2 * 24);
    // A late result for the dropped day makes its partition again: in the other handle, whose insert
    // first finds no partition, then makes it and writes again; then in this one.
    await other.record([result('db', T0 + 6)], 'dc1');
    await store.record([result('api', T0 + 5)], 'dc1');
    expect((await store.results({ since: T0, until: T0 + DAY_MS })).map((r) => r.checkId)).toEqual(['api', 'db']);
  });

  it('reads results of many days back in order, and lets several handles make a new day at once', async () => {
    const schema = uniqueSchema();
    const handles = [await openTestPostgresStore(schema), await openTestPostgresStore(schema), await openTestPostgresStore(schema)];
    await handles[0]!.migrate();
    const far = T0 + 400 * DAY_MS; // days no migration made
    await Promise.all(
      handles.map((store, i) => store.record(Array.from({ length: 12 }, (_, d) => result(`c${i}`, far + d * DAY_MS + i * 1_000)), `dc${i}`)),
    );
    const all = await handles[0]!.results({ since: far });
    expect(all).toHaveLength(36);
    expect(all.map((r) => r.startedAt)).toEqual([...all.map((r) => r.startedAt)].sort((a, b) => a - b));
    const streamed: number[] = [];
    for await (const row of handles[1]!.streamResults({ since: far })) streamed.push(row.startedAt);
    expect(streamed).toEqual(all.map((r) => r.startedAt));
    expect(await partitions(await openTestClient(), schema)).toEqual(expect.arrayContaining(Array.from({ length: 12 }, (_, d) => partitionOf(far + d * DAY_MS))));
  });

  it('stores compact rows: interned series and messages, details only for failures', async () => {
    const schema = uniqueSchema();
    const store = await openTestPostgresStore(schema);
    await store.migrate();
    await store.record(
      [result('api', T0, 'up'), result('api', T0 + 1, 'up'), result('api', T0 + 2, 'down', { details: { code: 'ECONNREFUSED' } })],
      'dc1',
    );
    const client = await openTestClient();
    const { rows } = await client.query(`SELECT series_id, started_at::float8 AS started_at, status, latency, message_id, details FROM "${schema}".results ORDER BY started_at`);
    expect(rows).toEqual([
      { series_id: 1, started_at: T0, status: 0, latency: 1250, message_id: 1, details: null },
      { series_id: 1, started_at: T0 + 1, status: 0, latency: 1250, message_id: 1, details: null },
      { series_id: 1, started_at: T0 + 2, status: 2, latency: null, message_id: 2, details: '{"code":"ECONNREFUSED"}' },
    ]);
  });
});
