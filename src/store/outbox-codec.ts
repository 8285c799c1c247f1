// How both engines turn outbox entries into rows and rows back into deliveries and subscribers.
// One codec, so the engines agree on which entry wins, which state a target gets and what is refused.
import type { Delivery, DeliveryState, NotifyEvent, OutboxEntry } from '../notify/types.ts';
import type { Subscriber } from './types.ts';

export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'sent', 'dead', 'silenced'];

export interface EventRow {
  key: string;
  kind: string;
  audience: string;
  createdAt: number;
  /** The whole event as JSON text. */
  json: string;
}

export interface NewDeliveryRow {
  eventKey: string;
  target: string;
  state: 'pending' | 'silenced';
  /** The event's createdAt: a pending delivery is due at once, and the delivery was made with it. */
  nextAttemptAt: number;
  createdAt: number;
}

/**
 * Rows for a batch of entries, in key order (one lock order for every writer). A key repeated in
 * the batch keeps its first entry, as a key already stored keeps the stored one; a target repeated
 * in an entry keeps its first mention. Throws on an event without a key or with a createdAt that is
 * not an integer, so nothing of the batch is written.
 */
export function outboxRows(entries: readonly OutboxEntry[]): { events: EventRow[]; deliveries: Map<string, NewDeliveryRow[]> } {
  const byKey = new Map<string, OutboxEntry>();
  for (const entry of entries) {
    const { key, createdAt } = entry.event;
    if (typeof key !== 'string' || key.length === 0) throw new Error('cannot store an outbox event without a key');
    if (!Number.isSafeInteger(createdAt)) throw new Error(`cannot store outbox event ${key}: createdAt is not an integer (epoch ms)`);
    if (!byKey.has(key)) byKey.set(key, entry);
  }
  const keys = [...byKey.keys()].sort(compareText);
  const events: EventRow[] = [];
  const deliveries = new Map<string, NewDeliveryRow[]>();
  for (const key of keys) {
    const { event, targets } = byKey.get(key)!;
    events.push({ key, kind: event.kind, audience: event.audience, createdAt: event.createdAt, json: JSON.stringify(event) });
    const seen = new Set<string>();
    const rows: NewDeliveryRow[] = [];
    for (const target of targets) {
      if (seen.has(target.name)) continue;
      seen.add(target.name);
      rows.push({ eventKey: key, target: target.name, state: target.silenced ? 'silenced' : 'pending', nextAttemptAt: event.createdAt, createdAt: event.createdAt });
    }
    deliveries.set(key, rows);
  }
  return { events, deliveries };
}

export type DeliveryUpdate = Pick<Delivery, 'id' | 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>;

/**
 * Columns of an update, in the order both engines bind them. Times are whole ms: a retry time with
 * a fraction (backoff with jitter) is rounded up, so a delivery is never tried before it asked.
 * A time that is not a number is left for the database to refuse (NOT NULL, bigint).
 */
export function updateValues(u: DeliveryUpdate): [string, number, number, string | null, number | null, number] {
  return [u.state, u.attempts, Math.ceil(u.nextAttemptAt), u.lastError, u.sentAt === null ? null : Math.round(u.sentAt), u.id];
}

/** Every state, 0 where there is none. */
export function countsByState(rows: Iterable<{ state: string; n: number }>): Record<DeliveryState, number> {
  const counts: Record<DeliveryState, number> = { pending: 0, sent: 0, dead: 0, silenced: 0 };
  for (const { state, n } of rows) if (Object.hasOwn(counts, state)) counts[state as DeliveryState] = n;
  return counts;
}

export interface DeliveryRow {
  id: number | string;
  event_key: string;
  target: string;
  state: string;
  attempts: number;
  next_attempt_at: number | string;
  last_error: string | null;
  sent_at: number | string | null;
  created_at: number | string;
}

/** Numbers may come as text (PostgreSQL bigint). */
export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: Number(row.id),
    eventKey: row.event_key,
    target: row.target,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    createdAt: Number(row.created_at),
  };
}

export const toEvent = (json: string): NotifyEvent => JSON.parse(json) as NotifyEvent;

export interface SubscriberRow {
  id: string;
  channel: string;
  address: string;
  components: string | null;
  state: string;
  source: string;
  created_at: number | string;
  confirmed_at: number | string | null;
}

export function toSubscriber(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    channel: row.channel as Subscriber['channel'],
    address: row.address,
    components: row.components === null ? null : (JSON.parse(row.components) as string[]),
    state: row.state as Subscriber['state'],
    source: row.source as Subscriber['source'],
    createdAt: Number(row.created_at),
    confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at),
  };
}

/** Subscriber columns in the order both engines bind them; throws on times that are not epoch ms. */
export function subscriberValues(s: Subscriber): [string, string, string, string | null, string, string, number, number | null] {
  if (!Number.isSafeInteger(s.createdAt) || (s.confirmedAt !== null && !Number.isSafeInteger(s.confirmedAt))) {
    throw new Error(`cannot save subscriber ${s.id}: createdAt and confirmedAt must be integers (epoch ms)`);
  }
  if (s.components !== null && !Array.isArray(s.components)) throw new Error(`cannot save subscriber ${s.id}: components must be a list of ids or null`);
  return [s.id, s.channel, s.address, s.components === null ? null : JSON.stringify(s.components), s.state, s.source, s.createdAt, s.confirmedAt];
}

/** Code-unit order, the same in every process (localeCompare is not). */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
