// The delivery loop: due deliveries from the outbox → one message per target (group.ts) →
// provider.render → provider.send, with retries, dead letters and at-least-once across crashes.
//
// - One message in flight per target; targets never wait for each other. A target that fails is in
//   backoff (decorrelated jitter, or its Retry-After when longer); its other due deliveries are
//   deferred to the end of the backoff so they never crowd the healthy targets out of a batch.
// - Claim before send: a message's deliveries get attempts+1, a lease and a claim mark written
//   before the request leaves. A crash mid-send leaves the mark; the next sender (after a restart)
//   sends those at once and counts each as a possible duplicate (the receiver may have it already;
//   the idempotency key, the same as the first time, lets it tell).
// - Not retried: answers retrying cannot change (provider says retryable: false) → dead at once.
//   Dead too: a delivery still failing deadAfterMs after it was written. Both are logged and counted.
// - Wakes on wake() (the daemon calls it after each enqueue), at the next due time, and at the end
//   of a group's wait; polls the outbox every pollMs besides, in case another process wrote to it.
import { nextDelay, type BackoffLimits } from '../client/backoff.ts';
import type { Logger } from '../daemon/log.ts';
import type { Store } from '../store/types.ts';
import { groupDue, idempotencyKey, type DueItem, type MessageGroup } from './group.ts';
import type { Delivery, NotifyConfig, OutboxEntry, OutgoingMessage, Provider, SendOutcome } from './types.ts';

export interface ResolvedTarget {
  provider: Provider<unknown>;
  config: unknown;
}

export type SenderStore = Pick<Store, 'dueDeliveries' | 'nextDueAt' | 'updateDeliveries' | 'outboxCounts'>;

export interface SenderOptions {
  store: SenderStore;
  notify: Pick<NotifyConfig, 'groupWaitMs' | 'deadAfterMs'>;
  /** The configured target of that name, or undefined (its deliveries go dead: nobody can send them). */
  target(name: string): ResolvedTarget | undefined;
  site: OutgoingMessage['site'];
  logger: Logger;
  now?: () => number;
  random?: () => number;
  /** How long one request may take before it counts as failed (a stalled target). Default 10 s. */
  sendTimeoutMs?: number;
  retry?: BackoffLimits;
  /** Read the outbox at least this often. Default 30 s. */
  pollMs?: number;
  /** Deliveries read per round. Default 500. */
  batch?: number;
  /** Called after each answered attempt (tests, benchmarks, metrics). */
  onAttempt?: (group: MessageGroup, outcome: SendOutcome, possibleDuplicate: boolean) => void;
}

export interface SenderStats {
  /** Deliveries sent (a message of five events counts five). */
  sent: number;
  /** Messages sent. */
  messages: number;
  /** Attempts that failed (each retry counts). */
  failed: number;
  /** Deliveries that went dead. */
  dead: number;
  /** Deliveries re-sent after a crash interrupted their sending: possible duplicates. */
  duplicates: number;
  /** Pending deliveries in the outbox at the last count. */
  pending: number;
  inFlight: number;
}

export interface Sender {
  /** Something was enqueued: look now. */
  wake(): void;
  stats(): SenderStats;
  /**
   * Sends an entry without the outbox (the store is down, so the outbox is out of reach): one try per
   * target, then retries in memory while the process lives. Resolves with the targets reached.
   */
  deliverDirect(entry: OutboxEntry, attempts?: number): Promise<string[]>;
  /** Stops reading the outbox; sends in flight get up to `graceMs` to finish and record their outcome. */
  stop(graceMs?: number): Promise<void>;
}

/** Written with the claim, cleared by the outcome: found on a due delivery, the last sender died mid-send. */
export const CLAIM_MARK = 'claimed for sending';

export const DEFAULT_RETRY: BackoffLimits = { minMs: 1_000, maxMs: 5 * 60_000, rate: 3 };

type Update = Pick<Delivery, 'id' | 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>;

const snapshot = (d: Delivery): Update => ({ id: d.id, state: d.state, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, lastError: d.lastError, sentAt: d.sentAt });

export function startSender(options: SenderOptions): Sender {
  const { store, logger } = options;
  const clock = options.now ?? Date.now;
  const now = () => Math.round(clock());
  const random = options.random ?? Math.random;
  const sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
  const leaseMs = sendTimeoutMs + 5_000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const pollMs = options.pollMs ?? 30_000;
  const batch = options.batch ?? 500;
  const stats: SenderStats = { sent: 0, messages: 0, failed: 0, dead: 0, duplicates: 0, pending: 0, inFlight: 0 };
  const inFlight = new Map<string, Promise<void>>(); // target → its one message in flight
  const backoff = new Map<string, { delayMs: number; until: number }>();
  const stopSends = new AbortController();
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let storeTrouble = false;
  let lastCountAt = 0;
  let startedUp = false;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  function settle(group: MessageGroup, outcome: SendOutcome, claimedAt: number): Update[] {
    const at = now();
    if (outcome.ok) {
      backoff.delete(group.target);
      return group.items.map(({ delivery }) => ({ ...snapshot(delivery), state: 'sent', attempts: delivery.attempts + 1, lastError: null, sentAt: at, nextAttemptAt: claimedAt }));
    }
    const previous = backoff.get(group.target)?.delayMs ?? 0;
    const delayMs = nextDelay(previous, retry, random);
    // Whole milliseconds: the stores keep epoch ms as integers.
    const retryAt = Math.ceil(at + Math.max(delayMs, outcome.retryAfterMs ?? 0));
    backoff.set(group.target, { delayMs, until: retryAt });
    return group.items.map(({ delivery }) => {
      const tooOld = retryAt - delivery.createdAt >= options.notify.deadAfterMs;
      const dead = !outcome.retryable || tooOld;
      return { ...snapshot(delivery), state: dead ? 'dead' : 'pending', attempts: delivery.attempts + 1, lastError: outcome.answer.slice(0, 500), nextAttemptAt: dead ? at : retryAt, sentAt: null };
    });
  }

  async function record(updates: Update[]): Promise<void> {
    // The outcome must reach the store, or the delivery is sent again after its lease (a duplicate).
    for (let attempt = 0; ; attempt++) {
      try {
        await store.updateDeliveries(updates);
        return;
      } catch (error) {
        if (attempt >= 20 || stopSends.signal.aborted) {
          logger.error('notify-unrecorded', `the outcome of ${updates.length} deliveries could not be recorded: ${(error as Error).message}; they are sent again after their lease`);
          return;
        }
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  }

  async function attempt(group: MessageGroup, resolved: ResolvedTarget): Promise<SendOutcome> {
    try {
      const request = resolved.provider.render(group.message, resolved.config);
      const sending = resolved.provider.send(request, resolved.config, { timeoutMs: sendTimeoutMs, signal: stopSends.signal });
      // A provider that does not honour its timeout still cannot hold this target forever.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<SendOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, answer: `no answer within ${sendTimeoutMs} ms`, retryable: true }), sendTimeoutMs + 2_000);
      });
      try {
        return await Promise.race([sending, late]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      // render() refused the message or send() broke its promise not to throw: retrying would do the same.
      return { ok: false, answer: `could not be sent: ${(error as Error).message}`, retryable: false };
    }
  }

  function launch(group: MessageGroup, resolved: ResolvedTarget, claimedAt: number, possibleDuplicate: boolean): void {
    stats.inFlight++;
    const run = (async () => {
      const outcome = await attempt(group, resolved);
      const updates = settle(group, outcome, claimedAt);
      await record(updates);
      const count = group.items.length;
      if (outcome.ok) {
        stats.sent += count;
        stats.messages++;
        logger.info('notify-sent', `sent ${count} event${count === 1 ? '' : 's'} to ${group.target}: ${outcome.answer}`, {
          target: group.target,
          events: count,
          key: group.message.idempotencyKey,
          possibleDuplicate,
        });
      } else {
        stats.failed++;
        const dead = updates.filter((u) => u.state === 'dead').length;
        stats.dead += dead;
        if (dead > 0) {
          logger.error('notify-dead', `gave up sending ${dead} event${dead === 1 ? '' : 's'} to ${group.target}: ${outcome.answer}${outcome.retryable ? ' (still failing after the dead-letter time)' : ' (an answer retrying cannot change)'}`, {
            target: group.target,
            events: dead,
            key: group.message.idempotencyKey,
          });
        } else {
          const inMs = Math.max(0, updates[0]!.nextAttemptAt - now());
          logger.warn('notify-retry', `sending to ${group.target} failed: ${outcome.answer}; retried in ${Math.round(inMs / 100) / 10} s`, {
            target: group.target,
            events: count,
            retryInMs: inMs,
          });
        }
      }
      options.onAttempt?.(group, outcome, possibleDuplicate);
    })()
      .catch((error: Error) => logger.error('notify-internal', `sending to ${group.target} broke: ${error.stack ?? error.message}`))
      .finally(() => {
        stats.inFlight--;
        inFlight.delete(group.target);
        wake();
      });
    inFlight.set(group.target, run);
  }

  /** At start: deliveries claimed by a sender that died mid-send are sent now, not after their lease. */
  async function orphans(at: number): Promise<DueItem[]> {
    const found: DueItem[] = [];
    // Any lease a sender may have written (its send timeout may have been another): a day ahead.
    const rows = await store.dueDeliveries(at + 86_400_000, 100_000);
    for (const row of rows) if (row.delivery.nextAttemptAt > at && row.delivery.lastError === CLAIM_MARK) found.push(row);
    return found;
  }

  async function round(): Promise<number | undefined> {
    const at = now();
    let due: DueItem[] = await store.dueDeliveries(at, batch);
    const full = due.length >= batch;
    if (!startedUp) {
      startedUp = true;
      due = [...due, ...(await orphans(at))];
    }
    // Deliveries no target can send: dead now, loudly.
    const unknown = due.filter((item) => !options.target(item.delivery.target));
    if (unknown.length > 0) {
      await store.updateDeliveries(unknown.map(({ delivery }) => ({ ...snapshot(delivery), state: 'dead', lastError: 'no such target in probes/notify.yaml' })));
      stats.dead += unknown.length;
      for (const target of new Set(unknown.map((item) => item.delivery.target))) {
        logger.error('notify-dead', `deliveries to target "${target}" went dead: no such target in probes/notify.yaml`, { target });
      }
    }
    // Interrupted sends go again as the very same message: one claim wrote one lease for a target's
    // group, so (target, lease) finds it; the same deliveries give the same idempotency key, and a
    // receiver that keeps keys drops the copy.
    const interrupted = new Map<string, DueItem[]>();
    const defer: Update[] = [];
    const sendable: DueItem[] = [];
    for (const item of due) {
      if (item.delivery.lastError !== CLAIM_MARK || !options.target(item.delivery.target)) continue;
      const key = `${item.delivery.target}\n${item.delivery.nextAttemptAt}`;
      const list = interrupted.get(key) ?? [];
      list.push(item);
      interrupted.set(key, list);
    }
    const resent: MessageGroup[] = [];
    for (const items of interrupted.values()) {
      const target = items[0]!.delivery.target;
      if (inFlight.has(target) || resent.some((g) => g.target === target)) continue;
      const ids = items.map((item) => item.delivery.id);
      resent.push({ target, items, message: { idempotencyKey: idempotencyKey(target, ids), target, events: items.map((item) => item.event), site: options.site } });
    }
    const resending = new Set(resent.flatMap((g) => g.items));
    for (const item of due) {
      if (resending.has(item)) continue;
      if (resent.some((g) => g.target === item.delivery.target)) continue; // this target's turn is the resend
      const name = item.delivery.target;
      if (!options.target(name)) continue;
      const off = backoff.get(name);
      if (off && off.until > at) {
        // A failing target's newer deliveries wait with it, out of the healthy targets' way.
        defer.push({ ...snapshot(item.delivery), nextAttemptAt: off.until });
      } else if (inFlight.has(name)) {
        if (full) defer.push({ ...snapshot(item.delivery), nextAttemptAt: at + 1_000 });
      } else sendable.push(item);
    }
    if (defer.length > 0) await store.updateDeliveries(defer);
    const { ready, wakeAt } = groupDue(sendable, { groupWaitMs: options.notify.groupWaitMs, now: at, site: options.site });
    const claims: Array<{ group: MessageGroup; resolved: ResolvedTarget; duplicate: boolean }> = resent.map((group) => ({ group, resolved: options.target(group.target)!, duplicate: true }));
    for (const group of ready) {
      if (inFlight.has(group.target) || claims.some((c) => c.group.target === group.target)) continue;
      const duplicate = group.items.some((item) => item.delivery.lastError === CLAIM_MARK);
      claims.push({ group, resolved: options.target(group.target)!, duplicate });
    }
    if (claims.length > 0) {
      // Claim before send, all in one transaction: attempts+1, a lease, the mark.
      await store.updateDeliveries(
        claims.flatMap(({ group }) => group.items.map(({ delivery }) => ({ ...snapshot(delivery), attempts: delivery.attempts + 1, nextAttemptAt: at + leaseMs, lastError: CLAIM_MARK }))),
      );
      for (const { group, resolved, duplicate } of claims) {
        const duplicates = group.items.filter((item) => item.delivery.lastError === CLAIM_MARK).length;
        if (duplicates > 0) {
          stats.duplicates += duplicates;
          logger.warn('notify-resend', `${duplicates} event${duplicates === 1 ? '' : 's'} to ${group.target} were being sent when statuspost stopped: sent again (a possible duplicate; same idempotency key)`, {
            target: group.target,
            events: duplicates,
          });
        }
        // settle() writes attempts+1 from the rows as read: the same count the claim wrote.
        launch(group, resolved, at, duplicate);
      }
    }
    if (at - lastCountAt >= 5_000) {
      lastCountAt = at;
      stats.pending = (await store.outboxCounts()).pending;
    }
    const nextDue = await store.nextDueAt();
    const candidates = [wakeAt, at + pollMs];
    if (nextDue !== undefined && nextDue > at) candidates.push(nextDue);
    // Due now but waiting for a busy target: its completion wakes the loop.
    return Math.min(...candidates.filter((c): c is number => c !== undefined));
  }

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let sleepUntil: number;
      try {
        sleepUntil = (await round()) ?? now() + pollMs;
        if (storeTrouble) logger.info('notify-store-back', 'the outbox is reachable again; sending resumes');
        storeTrouble = false;
      } catch (error) {
        if (!storeTrouble) logger.warn('notify-store-down', `cannot read the outbox: ${(error as Error).message}; retried`);
        storeTrouble = true;
        sleepUntil = now() + 1_000 + random() * 1_000;
      }
      if (stopped || woken) continue;
      const waitMs = Math.max(0, sleepUntil - now());
      if (waitMs === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(waitMs, 2_147_483_647));
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
        if (woken || stopped) wakeUp();
      });
      wakeUp = undefined;
    }
  })();

  async function deliverDirect(entry: OutboxEntry, attempts = 5): Promise<string[]> {
    const reached: string[] = [];
    const message = (target: string): MessageGroup => ({
      target,
      items: [],
      message: { idempotencyKey: `direct:${entry.event.key}:${target}`, target, events: [entry.event], site: options.site },
    });
    await Promise.all(
      entry.targets
        .filter((t) => !t.silenced)
        .map(async ({ name }) => {
          const resolved = options.target(name);
          if (!resolved) return;
          let delayMs = 0;
          for (let i = 0; i < attempts && !stopped; i++) {
            const outcome = await attempt(message(name), resolved);
            if (outcome.ok) {
              reached.push(name);
              logger.info('notify-sent', `sent "${entry.event.title}" to ${name} directly (the outbox is out of reach): ${outcome.answer}`, { target: name, direct: true });
              return;
            }
            if (!outcome.retryable) break;
            delayMs = nextDelay(delayMs, retry, random);
            await sleep(Math.max(delayMs, outcome.retryAfterMs ?? 0));
          }
          logger.error('notify-direct-failed', `could not send "${entry.event.title}" to ${name} directly; it is written to the outbox once the store is back`, { target: name });
        }),
    );
    return reached;
  }

  return {
    wake,
    stats: () => ({ ...stats }),
    deliverDirect,
    async stop(graceMs = sendTimeoutMs) {
      stopped = true;
      wake();
      await loop;
      const timer = setTimeout(() => stopSends.abort(), graceMs);
      await Promise.allSettled([...inFlight.values()]);
      clearTimeout(timer);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

