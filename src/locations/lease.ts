// The publisher's lease: one publisher candidate at a time holds it, and only the holder builds,
// publishes and writes verdicts. The store keeps the lease by the database's clock (acquireLease);
// this keeper also keeps its own deadline by the process's monotonic clock, so that a renewal that
// hangs (a database that stopped answering, a network that drops packets) cannot keep a publisher
// believing it holds a lease the database has already given to another. The fencing token of every
// write (store.fenced) is what makes a stale holder harmless; this deadline makes it stop early.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../store/types.ts';

export const PUBLISHER_LEASE = 'publisher';

export interface LeaseTimers {
  /** Monotonic milliseconds (performance.now): wall clock steps must not extend or shorten a lease. */
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: LeaseTimers = {
  now: () => performance.now(),
  set: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref(); // the lease never keeps the process alive on its own
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LeaseKeeperOptions {
  store: Pick<Store, 'acquireLease' | 'releaseLease'>;
  name?: string;
  /** Default `${hostname}:${pid}:${random}`: unique per process, readable in the lease row. */
  holder?: string;
  /** Default 10 s. */
  ttlMs?: number;
  /** Renew this often while held. Default 3 s. */
  renewMs?: number;
  /** Try this often while not held. Default 2 s. */
  retryMs?: number;
  timers?: LeaseTimers;
  onGained(token: number): void;
  onLost(reason: string): void;
  /** A failed attempt while not holding the lease (store down): the keeper retries; the caller logs once. */
  onError?(error: Error): void;
}

export interface LeaseKeeper {
  readonly holder: string;
  /** The fencing token while the lease is held (by this process's clock too), else null. */
  token(): number | null;
  /** Stops trying and gives the lease up if held (the next candidate need not wait for it to expire). */
  stop(): Promise<void>;
}

export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function startLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const name = options.name ?? PUBLISHER_LEASE;
  const holder = options.holder ?? defaultHolder();
  const ttlMs = options.ttlMs ?? 10_000;
  const renewMs = options.renewMs ?? 3_000;
  const retryMs = options.retryMs ?? 2_000;
  const timers = options.timers ?? realTimers;

  let held: { token: number; deadline: number } | null = null;
  let stopped = false;
  let next: unknown;
  let expiry: unknown;
  /** The attempt in flight: its generation (a newer attempt or a loss makes its answer void) and when it was sent. */
  let generation = 0;
  let inFlight: { generation: number; sentAt: number; done: Promise<void> } | null = null;

  const lose = (reason: string) => {
    if (!held) return;
    held = null;
    timers.clear(expiry);
    generation++; // an answer still on its way belongs to the lease just lost
    schedule(retryMs);
    options.onLost(reason);
  };

  const attempt = async (mine: number, sentAt: number): Promise<void> => {
    let grant: Awaited<ReturnType<Store['acquireLease']>>;
    try {
      grant = await options.store.acquireLease(name, holder, ttlMs);
    } catch (error) {
      if (mine !== generation || stopped) return;
      if (held) lose(`the lease could not be renewed: ${(error as Error).message}`);
      else options.onError?.(error as Error);
      return;
    }
    if (mine !== generation || stopped) {
      // Stopped (or given up on) while asking: a grant got now is handed back rather than left to expire.
      if (grant && stopped) await options.store.releaseLease(name, holder, grant.token).catch(() => {});
      return;
    }
    if (!grant) {
      if (held) lose('another publisher holds the lease');
      return;
    }
    // The database counted the ttl from some moment after the request was sent: counting it from
    // the sending is never later than the database's own expiry.
    const deadline = sentAt + ttlMs;
    const now = timers.now();
    if (deadline <= now) {
      if (held) lose(`the renewal took longer than the lease (${Math.round(now - sentAt)} ms)`);
      return;
    }
    if (held && held.token !== grant.token) lose('the lease expired and was taken anew'); // then gained again below
    const gained = !held;
    held = { token: grant.token, deadline };
    timers.clear(expiry);
    expiry = timers.set(() => {
      if (held && timers.now() >= held.deadline) lose(`not renewed within ${ttlMs} ms`);
    }, deadline - now);
    if (gained) options.onGained(grant.token);
  };

  function schedule(ms: number): void {
    timers.clear(next);
    if (!stopped) next = timers.set(tick, ms);
  }

  function tick(): void {
    if (stopped) return;
    const now = timers.now();
    // One attempt at a time (a store that hangs gets no pile of them); one that hangs past the ttl is
    // given up on (its answer ignored) and a new one sent.
    if (inFlight && now - inFlight.sentAt < ttlMs) {
      schedule(held ? renewMs : retryMs);
      return;
    }
    if (inFlight) generation++;
    const mine = generation;
    const done = attempt(mine, now).finally(() => {
      if (inFlight?.generation === mine) inFlight = null;
      // A gain or loss changes the pace: renew 3 s after this answer, or try again 2 s after it.
      if (!stopped && mine === generation) schedule(held ? renewMs : retryMs);
    });
    inFlight = { generation: mine, sentAt: now, done };
    schedule(held ? renewMs : retryMs); // ticks go on while an attempt hangs
  }

  schedule(0);

  return {
    holder,
    token: () => (held && timers.now() < held.deadline ? held.token : null),
    async stop() {
      stopped = true;
      timers.clear(next);
      timers.clear(expiry);
      const was = held;
      held = null;
      generation++;
      if (was) {
        options.onLost('stopping: the lease is given up');
        await options.store.releaseLease(name, holder, was.token).catch(() => {});
      }
    },
  };
}
