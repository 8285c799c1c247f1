// The lease keeper (src/locations/lease.ts) on a controllable store double and a hand-moved clock:
// when it gains, renews and loses the lease, and that its own clock ends a lease whose renewal hangs.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startLeaseKeeper, type LeaseKeeper } from '../../src/locations/lease.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { InMemoryLocationsStoreDouble } from '../helpers/locations-store-double.ts';

function setup(holder = 'me') {
  const clock = new FakeClock();
  const store = new InMemoryLocationsStoreDouble();
  const base = Date.now();
  store.clock = () => base + clock.now(); // the database's clock runs at the same rate
  const events: string[] = [];
  const errors: string[] = [];
  const keeper = startLeaseKeeper({
    store,
    holder,
    timers: clock,
    onGained: (token) => events.push(`gained ${token}`),
    onLost: (reason) => events.push(`lost: ${reason}`),
    onError: (error) => errors.push(error.message),
  });
  return { clock, store, keeper, events, errors };
}

const otherHolds = (store: InMemoryLocationsStoreDouble, ttlMs = 10_000) => {
  const lease = store.leases.get('publisher');
  store.leases.set('publisher', { holder: 'other', token: (lease?.token ?? 0) + 1, expiresAt: store.clock() + ttlMs });
};

describe('lease keeper', () => {
  it('gains a free lease at once and renews it every 3 s', async () => {
    const { clock, store, keeper, events } = setup();
    await clock.advance(0);
    expect(events).toEqual(['gained 1']);
    expect(keeper.token()).toBe(1);
    const before = store.calls.acquireLease;
    await clock.advance(30_000);
    expect(store.calls.acquireLease - before).toBe(10);
    expect(events).toEqual(['gained 1']);
    expect(keeper.token()).toBe(1);
    await keeper.stop();
  });

  it('tries every 2 s while another holds it, and takes it over with a larger token once it expires', async () => {
    const { clock, store, keeper, events } = setup();
    otherHolds(store, 9_000);
    await clock.advance(0);
    expect(events).toEqual([]);
    expect(keeper.token()).toBeNull();
    await clock.advance(8_000);
    expect(store.calls.acquireLease).toBe(5); // at 0, 2, 4, 6, 8 s
    expect(events).toEqual([]);
    await clock.advance(2_000);
    expect(events).toEqual(['gained 2']);
    expect(keeper.token()).toBe(2);
    await keeper.stop();
  });

  it('loses it at once when a renewal finds another holder', async () => {
    const { clock, store, keeper, events } = setup();
    await clock.advance(0);
    otherHolds(store);
    await clock.advance(3_000);
    expect(events).toEqual(['gained 1', 'lost: another publisher holds the lease']);
    expect(keeper.token()).toBeNull();
    await keeper.stop();
  });

  it('loses it at once when a renewal fails (store down), then regains it when the store is back', async () => {
    const { clock, store, keeper, events, errors } = setup();
    await clock.advance(0);
    store.failNext('acquireLease');
    await clock.advance(3_000);
    expect(events).toEqual(['gained 1', 'lost: the lease could not be renewed: the test store is down']);
    expect(keeper.token()).toBeNull();
    store.failNext('acquireLease');
    await clock.advance(2_000);
    expect(errors).toEqual(['the test store is down']); // not held: an error to log, nothing lost
    await clock.advance(2_000);
    expect(events.at(-1)).toBe('gained 1'); // still its own lease by the database: same token
    await keeper.stop();
  });

  it('counts the lease lost by its own clock when a renewal hangs, ttl after the last good renewal was sent', async () => {
    const { clock, store, keeper, events } = setup();
    await clock.advance(0); // renewed at 0
    await clock.advance(3_000); // renewed at 3 s: valid until 13 s by its own clock
    store.hang('acquireLease');
    await clock.advance(9_999); // 12.999 s: the renewal sent at 6 s still hangs
    expect(keeper.token()).toBe(1);
    expect(events).toEqual(['gained 1']);
    await clock.advance(1);
    expect(events).toEqual(['gained 1', 'lost: not renewed within 10000 ms']);
    expect(keeper.token()).toBeNull();
    // The hung call answers late: its grant is older than the ttl and not believed.
    store.unhang();
    await clock.advance(0);
    expect(events).toHaveLength(2);
    expect(keeper.token()).toBeNull();
    // The next attempt takes the lease again (the double's lease expired meanwhile: a new token).
    await clock.advance(2_000);
    expect(events.at(-1)).toMatch(/^gained \d+$/);
    await keeper.stop();
  });

  it('sends a new attempt when one has hung for the whole ttl, and ignores the old one', async () => {
    const { clock, store, keeper, events } = setup();
    store.hang('acquireLease');
    await clock.advance(9_000);
    expect(store.calls.acquireLease).toBe(1); // one at a time, not a pile
    await clock.advance(1_000);
    expect(store.calls.acquireLease).toBe(2);
    expect(events).toEqual([]);
    store.unhang();
    await clock.advance(0);
    expect(events).toEqual(['gained 1']);
    await keeper.stop();
  });

  it('gives the lease up on stop, so the next candidate takes it without waiting', async () => {
    const { clock, store, keeper, events } = setup();
    await clock.advance(0);
    await keeper.stop();
    expect(events).toEqual(['gained 1', 'lost: stopping: the lease is given up']);
    expect(store.leases.has('publisher')).toBe(false);
    const calls = store.calls.acquireLease;
    await clock.advance(10_000);
    expect(store.calls.acquireLease).toBe(calls); // stopped: no more attempts
    const next = startLeaseKeeper({ store, holder: 'next', timers: clock, onGained: (t) => events.push(`next gained ${t}`), onLost: () => {} });
    await clock.advance(0);
    expect(events.at(-1)).toBe('next gained 2');
    await next.stop();
  });

  it('names its holder host:pid:random', async () => {
    const store = new InMemoryLocationsStoreDouble();
    const clock = new FakeClock();
    const keepers: LeaseKeeper[] = [0, 1].map(() => startLeaseKeeper({ store, timers: clock, onGained: () => {}, onLost: () => {} }));
    expect(keepers[0]!.holder).toMatch(new RegExp(`^${hostname().replace(/[.]/g, '\\.')}:${process.pid}:[0-9a-f]{8}$`));
    expect(keepers[0]!.holder).not.toBe(keepers[1]!.holder);
    for (const k of keepers) await k.stop();
  });
});
