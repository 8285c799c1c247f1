import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StatuspostError } from '../../src/errors.ts';
import { latestSqliteVersion, sqliteMigrations } from '../../src/store/migrations/sqlite.ts';
import { openSqliteStore, sqliteIntegrity } from '../../src/store/sqlite.ts';
import { toEpochDay, type Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';
import { componentDay, describeStoreContract, notifyEvent, outboxEntry, result, subscriber } from './contract.ts';

const T0 = Date.UTC(2026, 10, 2);

describeStoreContract('sqlite', async () => {
  const path = join(await tempDir('statuspost-sqlite-'), 'data', 'history.db');
  return { store: await openSqliteStore({ path }), reopen: () => openSqliteStore({ path }) };
});

/** A store in a fresh folder, closed when the test ends, and a bare handle on the same file. */
async function fresh(): Promise<{ store: Store; path: string; bare: () => Database.Database }> {
  const path = join(await tempDir('statuspost-sqlite-'), 'history.db');
  const store = await openSqliteStore({ path });
  onTestFinished(() => store.close());
  const bare = () => {
    const db = new Database(path);
    onTestFinished(() => {
      db.close();
    });
    return db;
  };
  return { store, path, bare };
}

async function openError(path: string): Promise<StatuspostError> {
  const error = await openSqliteStore({ path }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(StatuspostError);
  return error as StatuspostError;
}

describe('sqlite store', () => {
  it('creates its folder, runs in WAL mode and records its schema version', async () => {
    const path = join(await tempDir(), 'data', 'nested', 'history.db');
    const store = await openSqliteStore({ path });
    onTestFinished(() => store.close());
    const db = new Database(path);
    onTestFinished(() => {
      db.close();
    });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version, name FROM statuspost_schema ORDER BY version').all()).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'component days' },
      { version: 3, name: 'outbox and subscribers' },
      { version: 4, name: 'following, lease and verdicts' },
    ]);
    expect(() => db.prepare('INSERT INTO results (series_id, started_at, status, message_id) VALUES (99, 1, 0, 99)').run()).toThrow(/FOREIGN KEY/);
  });

  it('refuses a database whose schema is newer than this code', async () => {
    const { store, path, bare } = await fresh();
    await store.close();
    bare().prepare("INSERT INTO statuspost_schema (version, name, applied_at) VALUES (99, 'from the future', 0)").run();
    const error = await openError(path);
    expect(error.code).toBe('SP_STORE_TOO_NEW');
    expect(error.message).toBe(`the SQLite store ${path} is at version 99, newer than this statuspost knows (${latestSqliteVersion})`);
    expect(error.hint).toBe('upgrade statuspost, or point store.path at another database file');
  });

  it('migrates a version 1 database to the latest version, keeping its data', async () => {
    const path = join(await tempDir(), 'history.db');
    // A store as the first release left it: migration 1 only, with a result in it.
    const v1 = new Database(path);
    v1.exec('CREATE TABLE statuspost_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    v1.exec(sqliteMigrations[0]!.sql);
    v1.prepare("INSERT INTO statuspost_schema (version, name, applied_at) VALUES (1, 'initial', 0)").run();
    v1.prepare("INSERT INTO series (check_id, location) VALUES ('api', 'dc1')").run();
    v1.prepare("INSERT INTO messages (text) VALUES ('200 OK')").run();
    v1.prepare('INSERT INTO results (series_id, started_at, status, latency, message_id) VALUES (1, ?, 0, 1250, 1)').run(T0);
    v1.close();

    const store = await openSqliteStore({ path });
    onTestFinished(() => store.close());
    const db = new Database(path, { readonly: true });
    onTestFinished(() => {
      db.close();
    });
    expect(db.prepare('SELECT version, name FROM statuspost_schema ORDER BY version').all()).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'component days' },
      { version: 3, name: 'outbox and subscribers' },
      { version: 4, name: 'following, lease and verdicts' },
    ]);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'component_days'").pluck().get()).toBe('component_days');
    expect((await store.results({ since: 0 })).map((r) => [r.checkId, r.startedAt, r.message])).toEqual([['api', T0, '200 OK']]);
    const day = componentDay('api', 'dc1', 0, ['operational', 'major_outage']);
    await store.saveComponentDays([day]);
    expect(await store.componentDays({ sinceDay: 0 })).toEqual([day]);
    await store.migrate(); // nothing left to do
    expect(db.prepare('SELECT count(*) FROM statuspost_schema').pluck().get()).toBe(latestSqliteVersion);
  });

  it('migrates a version 2 database to version 3 (outbox and subscribers), keeping its results and component days', async () => {
    const path = join(await tempDir(), 'history.db');
    // A store as the release before the outbox left it: migrations 1 and 2, with data in them.
    const v2 = new Database(path);
    v2.exec('CREATE TABLE statuspost_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const migration of sqliteMigrations.slice(0, 2)) {
      v2.exec(migration.sql);
      v2.prepare('INSERT INTO statuspost_schema (version, name, applied_at) VALUES (?, ?, 0)').run(migration.version, migration.name);
    }
    v2.prepare("INSERT INTO series (check_id, location) VALUES ('api', 'dc1')").run();
    v2.prepare("INSERT INTO messages (text) VALUES ('200 OK'), ('connection refused')").run();
    v2.prepare('INSERT INTO results (series_id, started_at, status, latency, message_id) VALUES (1, ?, 0, 1250, 1), (1, ?, 2, NULL, 2)').run(T0, T0 + 60_000);
    v2.prepare("INSERT INTO component_days (component_id, location, day, base, segments, final) VALUES ('api', 'dc1', ?, ?, '[[0,86400000,0]]', 1)").run(
      toEpochDay(T0),
      T0,
    );
    v2.close();

    const store = await openSqliteStore({ path });
    onTestFinished(() => store.close());
    const db = new Database(path, { readonly: true });
    onTestFinished(() => {
      db.close();
    });
    expect(db.prepare('SELECT version, name FROM statuspost_schema WHERE version = 3').all()).toEqual([{ version: 3, name: 'outbox and subscribers' }]);
    expect((await store.results({ since: 0 })).map((r) => [r.startedAt, r.status, r.message])).toEqual([
      [T0, 'up', '200 OK'],
      [T0 + 60_000, 'down', 'connection refused'],
    ]);
    expect(await store.componentDays({ sinceDay: 0 })).toEqual([
      { componentId: 'api', location: 'dc1', day: toEpochDay(T0), segments: [{ from: T0, to: T0 + 86_400_000, status: 'operational' }], final: true },
    ]);
    // The new tables work, alongside the old ones, in one transaction.
    await store.record([result('api', T0 + 120_000)], 'dc1', [outboxEntry(notifyEvent('component:api:up', T0 + 120_000), 'ops')]);
    expect(await store.results({ since: 0 })).toHaveLength(3);
    expect(await store.outboxCounts()).toEqual({ pending: 1, sent: 0, dead: 0, silenced: 0 });
    await store.saveSubscriber(subscriber('email:1'));
    expect(await store.subscribers()).toEqual([subscriber('email:1')]);
    await store.migrate(); // nothing left to do
    expect(db.prepare('SELECT count(*) FROM statuspost_schema').pluck().get()).toBe(latestSqliteVersion);
  });

  it('stores outbox rows as plain columns, and cascades an event\'s deliveries when it is pruned', async () => {
    const { store, bare } = await fresh();
    await store.enqueue([outboxEntry(notifyEvent('e1', T0), 'ops', { name: 'quiet', silenced: true })]);
    const db = bare();
    expect(db.prepare('SELECT key, kind, audience, created_at FROM events').all()).toEqual([{ key: 'e1', kind: 'component', audience: 'operators', created_at: T0 }]);
    expect(db.prepare('SELECT event_key, target, state, attempts, next_attempt_at, last_error, sent_at, created_at FROM deliveries ORDER BY id').all()).toEqual([
      { event_key: 'e1', target: 'ops', state: 'pending', attempts: 0, next_attempt_at: T0, last_error: null, sent_at: null, created_at: T0 },
      { event_key: 'e1', target: 'quiet', state: 'silenced', attempts: 0, next_attempt_at: T0, last_error: null, sent_at: null, created_at: T0 },
    ]);
    // The due lookup uses its index rather than scanning the table.
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'").all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join('\n')).toMatch(/deliveries_due/);
    db.prepare("UPDATE deliveries SET state = 'sent'").run();
    expect(await store.pruneOutbox(T0 + 1)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(0);
  });

  it('stores a component day as a base and offsets, with status codes', async () => {
    const { store, bare } = await fresh();
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
    expect(bare().prepare('SELECT component_id, location, day, base, segments, final FROM component_days').all()).toEqual([
      {
        component_id: 'api',
        location: 'dc1',
        day: toEpochDay(T0),
        base: T0 + 60_000,
        segments: '[[0,3540000,0],[3540000,7140000,null],[7140000,7240000,1],[7240000,7340000,2],[7340000,86340000,3]]',
        final: 1,
      },
    ]);
  });

  it('says which file is not a database, and why', async () => {
    const path = join(await tempDir(), 'notes.db');
    await writeFile(path, 'these are notes, not a database\n'.repeat(200));
    const error = await openError(path);
    expect(error.code).toBe('SP_STORE_UNAVAILABLE');
    expect(error.message).toBe(`cannot open the SQLite store ${path}: file is not a database`);
  });

  it('says when the path cannot be opened: a folder, or a folder that cannot be made', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'a-folder.db'));
    await writeFile(join(dir, 'a-file'), 'x');
    const folder = await openError(join(dir, 'a-folder.db'));
    expect([folder.code, folder.message]).toEqual(['SP_STORE_UNAVAILABLE', `cannot open the SQLite store ${join(dir, 'a-folder.db')}: unable to open database file`]);
    const under = await openError(join(dir, 'a-file', 'history.db'));
    expect(under.message).toMatch(/^cannot open the SQLite store .*a-file\/history\.db: cannot create its folder \(E(EXIST|NOTDIR)\)$/);
  });

  it('keeps details only for degraded and down results, and each message once', async () => {
    const { store, bare } = await fresh();
    await store.record(
      [
        result('api', T0, 'up', { message: 'same', details: { phase: 'all fine' } }),
        result('api', T0 + 1, 'up', { message: 'same' }),
        result('api', T0 + 2, 'degraded', { message: 'same', details: { phase: 'slow' } }),
        result('api', T0 + 3, 'down', { message: 'refused', details: {} }),
      ],
      'dc1',
    );
    const db = bare();
    expect(db.prepare('SELECT details FROM results ORDER BY started_at').pluck().all()).toEqual([null, null, '{"phase":"slow"}', null]);
    expect(db.prepare('SELECT text FROM messages ORDER BY id').pluck().all()).toEqual(['same', 'refused']);
    expect(db.prepare('SELECT latency FROM results WHERE status = 0').pluck().all()).toEqual([1250, 1250]); // hundredths of a ms
  });

  it('ignores a second result of a series in the same millisecond', async () => {
    const { store } = await fresh();
    await store.record([result('api', T0, 'up')], 'dc1');
    await store.record([result('api', T0, 'down'), result('api', T0 + 1, 'down')], 'dc1');
    expect((await store.results({ since: 0 })).map((r) => r.status)).toEqual(['up', 'down']);
  });

  it('forgets the series and messages of a batch that rolled back', async () => {
    const { store } = await fresh();
    const bad = { ...result('new-check', T0 + 1), status: 'sideways' as never };
    await expect(store.record([result('new-check', T0, 'up', { message: 'brand new' }), bad], 'dc9')).rejects.toThrow(/unknown status "sideways"/);
    // With foreign keys on, a stale cached id would make this insert fail.
    await store.record([result('new-check', T0, 'up', { message: 'brand new' })], 'dc9');
    expect(await store.series()).toEqual([{ checkId: 'new-check', location: 'dc9' }]);
    expect((await store.results({ checkId: 'new-check', location: 'dc9', since: 0 }))[0]?.message).toBe('brand new');
  });

  it('sees the series and messages that another handle wrote', async () => {
    const { store, path } = await fresh();
    const other = await openSqliteStore({ path });
    onTestFinished(() => other.close());
    await store.record([result('api', T0, 'up', { message: 'from one' })], 'dc1');
    await other.record([result('db', T0, 'down', { message: 'from two' }), result('api', T0 + 1, 'up', { message: 'from one' })], 'dc1');
    expect((await store.results({ since: 0 })).map((r) => `${r.checkId} ${r.message}`)).toEqual(['api from one', 'db from two', 'api from one']);
  });

  it('streams several series merged in time order, across sparse stretches', async () => {
    const { store } = await fresh();
    const rows = [
      ...Array.from({ length: 1_500 }, (_, i) => result('web', T0 + i * 30_000)),
      ...Array.from({ length: 1_500 }, (_, i) => result('api', T0 + i * 45_000)),
      result('api', T0 + 400 * 86_400_000), // a long gap, then one more
    ];
    await store.record(rows, 'dc1');
    await store.record([result('api', T0 + 30_000)], 'dc2');
    const streamed: string[] = [];
    for await (const r of store.streamResults({ since: T0, until: T0 + 401 * 86_400_000 })) streamed.push(`${r.startedAt} ${r.checkId} ${r.location}`);
    const expected = (await store.results({ since: T0 })).map((r) => `${r.startedAt} ${r.checkId} ${r.location}`);
    expect(streamed).toHaveLength(3_002);
    expect(streamed).toEqual(expected);
    expect(streamed.slice(0, 4)).toEqual([`${T0} api dc1`, `${T0} web dc1`, `${T0 + 30_000} api dc2`, `${T0 + 30_000} web dc1`]);
  });

  it('reads every message back when there are more than its cache holds', async () => {
    const { store } = await fresh();
    const rows = Array.from({ length: 50_010 }, (_, i) => result('api', T0 + i, 'up', { message: `200 OK in ${i} ms` }));
    await store.record(rows, 'dc1');
    expect((await store.results({ since: T0, until: T0 + 10 })).map((r) => r.message)).toEqual(rows.slice(0, 10).map((r) => r.message));
    const all = await store.results({ since: T0 });
    expect(all.filter((r, i) => r.message !== rows[i]!.message)).toEqual([]);
  });

  it('stores a result in well under 60 bytes', async () => {
    const { store, bare } = await fresh();
    const rows = [];
    for (let i = 0; i < 4_000; i++) {
      for (const check of ['api', 'web', 'db', 'cache', 'dns']) {
        const status = i % 97 === 0 ? 'down' : i % 31 === 0 ? 'degraded' : 'up';
        rows.push(result(check, T0 + i * 30_000 + (i % 7), status, { latencyMs: 5 + (i % 300) / 7, message: `200 OK in ${5 + (i % 43)} ms` }));
      }
    }
    for (let i = 0; i < rows.length; i += 500) await store.record(rows.slice(i, i + 500), 'dc1');
    const db = bare();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    expect(bytes / rows.length).toBeLessThan(60);
  });

  it('checks the integrity of a store file', async () => {
    const { store, path } = await fresh();
    await store.record([result('api', T0)], 'dc1');
    expect(await sqliteIntegrity(path)).toBe('ok');
    await expect(sqliteIntegrity(join(path, '..', 'missing.db'))).rejects.toMatchObject({ code: 'SP_STORE_UNAVAILABLE' });
  });

  it('refuses a takeover while the holder is inside fenced(), even past expiry, and lets it happen once the swap is written', async () => {
    const { store, path } = await fresh();
    const other = await openSqliteStore({ path });
    onTestFinished(() => other.close());
    const grant = (await store.acquireLease('publisher', 'one', 50))!;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let inside = false;
    const fenced = store.fenced('publisher', grant.token, { verdicts: [{ checkId: 'api', status: 'down', since: T0, at: T0, locations: ['a'] }] }, async () => {
      inside = true;
      await gate;
    });
    await until(() => inside && Date.now() > grant.expiresAt + 20, 10_000, 'inside the swap, past expiry');
    expect(await other.acquireLease('publisher', 'two', 10_000)).toBeNull();
    // Meanwhile the store works for everyone else: the swap holds no transaction.
    await other.record([result('api', T0)], 'a');
    open();
    await fenced;
    expect(await other.verdicts()).toHaveLength(1);
    const next = await other.acquireLease('publisher', 'two', 10_000);
    expect(next!.token).toBe(grant.token + 1);
    await expect(store.fenced('publisher', grant.token, {})).rejects.toMatchObject({ code: 'SP_LEASE_LOST' });
  });

  it('lets a takeover through when the process inside fenced() is gone', async () => {
    const { store, bare } = await fresh();
    const grant = (await store.acquireLease('publisher', 'one', 1))!;
    // A fence left by a process that died mid-swap (no process has that pid).
    bare().prepare("UPDATE leases SET fence = '999999999:dead' WHERE name = 'publisher'").run();
    await until(() => Date.now() > grant.expiresAt, 1_000, 'expired');
    expect((await store.acquireLease('publisher', 'two', 10_000))!.token).toBe(grant.token + 1);
  });

  it('rejects calls after close with SP_STORE_UNAVAILABLE', async () => {
    const { store } = await fresh();
    await store.close();
    await expect(store.results({ since: 0 })).rejects.toMatchObject({ code: 'SP_STORE_UNAVAILABLE', message: expect.stringMatching(/is closed$/) });
  });
});
