// A TEST DOUBLE of the store's several-locations contract (src/store/types.ts: resultsAfter,
// acquireLease, releaseLease, fenced, verdicts, plus record to add results), in memory. It exists
// only to unit-test the roles' logic (src/locations/{lease,follow,verdicts}.ts) while the real
// engines implement the contract on another branch; test/store/contract.ts is what holds the real
// engines to it. Tests written against `LocationsStoreFactory` run on the real engines too (see
// `realLocationsStores` below), and must be re-run there once the engines have the methods.
//
// Extra knobs the real engines do not have, for the unit tests only: a settable database clock,
// `failNext`/`hang` to make a call fail or never answer, and `calls` to count them.
import { onTestFinished } from 'vitest';
import { StatuspostError } from '../../src/errors.ts';
import type { NotifyEvent, OutboxEntry } from '../../src/notify/types.ts';
import type { CheckResult } from '../../src/probes/types.ts';
import type { LeaseGrant, ResultPage, ResultQuery, Store, StoredResult, Verdict } from '../../src/store/types.ts';

/** The part of a Store the roles use. */
export type LocationsStore = Pick<Store, 'resultsAfter' | 'acquireLease' | 'releaseLease' | 'fenced' | 'verdicts' | 'record' | 'results' | 'events'>;

/** Makes a fresh store for one test: the double, or a real engine (after the merge). */
export type LocationsStoreFactory = () => Promise<LocationsStore>;

type Method = 'resultsAfter' | 'acquireLease' | 'releaseLease' | 'fenced' | 'verdicts';

export class InMemoryLocationsStoreDouble implements LocationsStore {
  /** The database's clock (epoch ms); tests move it. */
  clock: () => number = Date.now;
  readonly rows: StoredResult[] = [];
  readonly leases = new Map<string, { holder: string; token: number; expiresAt: number }>();
  private lastToken = 0;
  readonly written = { verdicts: [] as Verdict[], outbox: [] as OutboxEntry[], swaps: 0 };
  private readonly latest = new Map<string, Verdict>();
  readonly calls: Record<Method, number> = { resultsAfter: 0, acquireLease: 0, releaseLease: 0, fenced: 0, verdicts: 0 };
  private readonly failing = new Map<Method, Error[]>();
  private readonly hanging = new Set<Method>();
  private readonly released: Array<() => void> = [];

  /** The next call of `method` rejects with `error` (a store that went down). */
  failNext(method: Method, error: Error = new StatuspostError('SP_STORE_UNAVAILABLE', 'the test store is down')): void {
    const list = this.failing.get(method) ?? [];
    list.push(error);
    this.failing.set(method, list);
  }

  /** Calls of `method` from now on never answer until `unhang()` (a database that stopped answering). */
  hang(method: Method): void {
    this.hanging.add(method);
  }

  unhang(): void {
    this.hanging.clear();
    for (const release of this.released.splice(0)) release();
  }

  private async enter(method: Method): Promise<void> {
    this.calls[method]++;
    if (this.hanging.has(method)) await new Promise<void>((resolve) => this.released.push(resolve));
    const error = this.failing.get(method)?.shift();
    if (error) throw error;
  }

  async record(results: readonly CheckResult[], location: string): Promise<void> {
    for (const r of results) {
      this.rows.push({ checkId: r.checkId, location, status: r.status, startedAt: r.startedAt, latencyMs: r.latencyMs, message: r.message, details: r.details });
    }
  }

  /** As the engines: in time order, then check id. */
  async results(query: ResultQuery): Promise<StoredResult[]> {
    return this.rows
      .filter((r) => r.startedAt >= query.since && (query.until === undefined || r.startedAt < query.until))
      .filter((r) => (query.checkId === undefined || r.checkId === query.checkId) && (query.location === undefined || r.location === query.location))
      .sort((a, b) => a.startedAt - b.startedAt || a.checkId.localeCompare(b.checkId));
  }

  async resultsAfter(cursor: string | null, limit: number): Promise<ResultPage> {
    await this.enter('resultsAfter');
    if (cursor === null) return { results: [], cursor: String(this.rows.length) };
    const from = Number(cursor);
    const results = this.rows.slice(from, from + limit);
    return { results, cursor: String(from + results.length) };
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | null> {
    await this.enter('acquireLease');
    const now = this.clock();
    const lease = this.leases.get(name);
    if (lease && lease.expiresAt > now && lease.holder !== holder) return null;
    this.lastToken = Math.max(this.lastToken, lease?.token ?? 0);
    const token = lease && lease.expiresAt > now ? lease.token : ++this.lastToken;
    this.leases.set(name, { holder, token, expiresAt: now + ttlMs });
    return { token, expiresAt: now + ttlMs };
  }

  async releaseLease(name: string, holder: string, token: number): Promise<void> {
    await this.enter('releaseLease');
    const lease = this.leases.get(name);
    if (lease && lease.holder === holder && lease.token === token) this.leases.delete(name);
  }

  async fenced(name: string, token: number, writes: { verdicts?: readonly Verdict[]; outbox?: readonly OutboxEntry[] }, during?: () => Promise<void>): Promise<void> {
    await this.enter('fenced');
    const lease = this.leases.get(name);
    if (!lease || lease.token !== token || lease.expiresAt <= this.clock()) {
      throw new StatuspostError('SP_LEASE_LOST', `the lease "${name}" is no longer held with token ${token}`);
    }
    await during?.();
    for (const v of writes.verdicts ?? []) {
      this.written.verdicts.push(v);
      this.latest.set(v.checkId, v);
    }
    this.written.outbox.push(...(writes.outbox ?? []));
    if (during) this.written.swaps++;
  }

  /** The events written through fenced (the only outbox writes the roles make), oldest first, each key once. */
  async events(query: Parameters<Store['events']>[0]): Promise<NotifyEvent[]> {
    const byKey = new Map<string, NotifyEvent>();
    for (const entry of this.written.outbox) if (!byKey.has(entry.event.key)) byKey.set(entry.event.key, entry.event);
    return [...byKey.values()].filter((e) => e.createdAt >= query.since && (query.kind === undefined || e.kind === query.kind) && (query.audience === undefined || e.audience === query.audience));
  }

  async verdicts(): Promise<Verdict[]> {
    await this.enter('verdicts');
    return [...this.latest.values()];
  }
}

export const doubleLocationsStore: LocationsStoreFactory = async () => new InMemoryLocationsStoreDouble();

/**
 * The real engines as LocationsStoreFactory, for the tests written against the factory. Each store
 * is migrated; the PostgreSQL one is on a fresh schema dropped by
 * dropTestStores() (call it from afterEach). The double's knobs (clock, failNext, hang) do not
 * exist there: tests that need them stay on the double.
 */
export const realLocationsStores: Record<'sqlite' | 'postgres', LocationsStoreFactory> = {
  sqlite: async () => {
    const { openSqliteStore } = await import('../../src/store/sqlite.ts');
    const { tempDir } = await import('./temp.ts');
    const store = await openSqliteStore({ path: `${await tempDir('statuspost-locations-')}/history.db` });
    await store.migrate();
    onTestFinished(() => store.close());
    return store;
  },
  postgres: async () => {
    const { openTestPostgresStore } = await import('./postgres-store.ts');
    const store = await openTestPostgresStore();
    await store.migrate();
    return store;
  },
};

/**
 * The stores the factory-based tests run on: the double (whose controls some tests need: a settable
 * clock, failures, hangs) and both real engines, so every behaviour checked on the double is
 * checked on SQLite and PostgreSQL too.
 */
export function locationsStores(): Array<[string, LocationsStoreFactory]> {
  return [['in-memory double', doubleLocationsStore], ...(Object.entries(realLocationsStores) as Array<[string, LocationsStoreFactory]>)];
}
