// Ten checks of one outage are one alert: the due deliveries of one target that were written within
// groupWaitMs of the first become one message. Pure: the time is passed in.
import { createHash } from 'node:crypto';
import type { Delivery, NotifyEvent, OutgoingMessage } from './types.ts';

export interface DueItem {
  delivery: Delivery;
  event: NotifyEvent;
}

export interface MessageGroup {
  target: string;
  items: DueItem[];
  message: OutgoingMessage;
}

/** Stable over retries and restarts: the same deliveries always give the same key. */
export function idempotencyKey(target: string, deliveryIds: readonly number[]): string {
  const ids = [...deliveryIds].sort((a, b) => a - b).join(',');
  return createHash('sha256').update(`${target}\n${ids}`).digest('hex').slice(0, 32);
}

/** Most events in one message: a storm of changes is still readable, and within every provider's size limit. */
export const MAX_EVENTS_PER_MESSAGE = 25;

/**
 * Groups due deliveries per target. A group is the deliveries created within `groupWaitMs` of its
 * oldest; it is ready once that wait has passed (or at once when it was tried before: its wait was
 * spent the first time). Groups not ready yet give `wakeAt`, when the earliest will be.
 */
export function groupDue(
  items: readonly DueItem[],
  options: { groupWaitMs: number; now: number; site: OutgoingMessage['site']; maxEvents?: number },
): { ready: MessageGroup[]; wakeAt: number | undefined } {
  const maxEvents = options.maxEvents ?? MAX_EVENTS_PER_MESSAGE;
  const byTarget = new Map<string, DueItem[]>();
  for (const item of items) {
    const list = byTarget.get(item.delivery.target);
    if (list) list.push(item);
    else byTarget.set(item.delivery.target, [item]);
  }
  const ready: MessageGroup[] = [];
  let wakeAt: number | undefined;
  for (const [target, list] of byTarget) {
    list.sort((a, b) => a.delivery.createdAt - b.delivery.createdAt || a.delivery.id - b.delivery.id);
    let start = 0;
    while (start < list.length) {
      const first = list[start]!.delivery;
      const windowEnd = first.createdAt + options.groupWaitMs;
      let end = start + 1;
      while (end < list.length && end - start < maxEvents && list[end]!.delivery.createdAt <= windowEnd) end++;
      const members = list.slice(start, end);
      const retried = members.some((m) => m.delivery.attempts > 0);
      if (options.now >= windowEnd || retried || end - start >= maxEvents) {
        ready.push({
          target,
          items: members,
          message: {
            idempotencyKey: idempotencyKey(target, members.map((m) => m.delivery.id)),
            target,
            events: members.map((m) => m.event),
            site: options.site,
          },
        });
      } else {
        wakeAt = wakeAt === undefined ? windowEnd : Math.min(wakeAt, windowEnd);
      }
      start = end;
    }
  }
  return { ready, wakeAt };
}
