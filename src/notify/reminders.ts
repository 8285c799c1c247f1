// While a component stays not operational, remind at each route's interval. The n-th reminder of a
// problem is due at since + n × interval; its key holds n, so each reminder is written once however
// often this is asked and across restarts (the outbox skips a key it has). A daemon that was down
// for three intervals sends one reminder (the latest ordinal), not three. Pure: `now` is passed in.
import type { Post } from '../posts/types.ts';
import { componentUrl, duration, severityOf, when, type SiteInfo } from './events.ts';
import { routeEvent } from './route.ts';
import type { ComponentStatus, NotifyEvent, NotifyRoute, OutboxEntry } from './types.ts';

export interface OpenProblem {
  component: { id: string; name: string };
  status: Exclude<ComponentStatus, 'operational'>;
  /** When the problem began (the measured start; names the problem with incidentKey). */
  since: number;
  incidentKey: string;
}

export function reminderOrdinal(since: number, intervalMs: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / intervalMs));
}

/** Reminder outbox entries due at `now`: per problem and per distinct interval, the latest ordinal. */
export function dueReminders(input: { site: SiteInfo; problems: readonly OpenProblem[]; routes: readonly NotifyRoute[]; posts: readonly Post[]; now: number }): OutboxEntry[] {
  const { site, problems, routes, posts, now } = input;
  const intervals = [...new Set(routes.map((r) => r.remindEveryMs).filter((ms): ms is number => ms !== null && ms > 0))];
  const entries: OutboxEntry[] = [];
  for (const problem of problems) {
    for (const interval of intervals) {
      const ordinal = reminderOrdinal(problem.since, interval, now);
      if (ordinal < 1) continue;
      const dueAt = problem.since + ordinal * interval;
      const url = componentUrl(site, problem.component.id);
      const event: NotifyEvent = {
        key: `reminder:${problem.incidentKey}:${interval}:${ordinal}`,
        kind: 'reminder',
        audience: 'operators',
        severity: severityOf(problem.status),
        at: dueAt,
        createdAt: now,
        title: `Still ${problem.status.replace(/_/g, ' ')}: ${problem.component.name}`,
        text: [
          `${problem.component.name} is still in ${problem.status.replace(/_/g, ' ')}, for ${duration(now - problem.since)} now (since ${when(problem.since, site.timezone)}). Reminder ${ordinal}.`,
          url ? `Component page: ${url}` : '',
        ].filter(Boolean).join('\n'),
        components: [{ id: problem.component.id, name: problem.component.name, status: problem.status, ...(url ? { url } : {}) }],
        incidentKey: problem.incidentKey,
        ...(url ? { url } : {}),
      };
      const entry = routeEvent(event, routes, posts, now, (route) => route.remindEveryMs === interval);
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/** When the next reminder of any open problem is due (the daemon's timer), or undefined. */
export function nextReminderAt(problems: readonly OpenProblem[], routes: readonly NotifyRoute[], now: number): number | undefined {
  let next: number | undefined;
  for (const route of routes) {
    if (route.remindEveryMs === null || route.remindEveryMs <= 0) continue;
    for (const problem of problems) {
      const at = problem.since + (reminderOrdinal(problem.since, route.remindEveryMs, now) + 1) * route.remindEveryMs;
      next = next === undefined ? at : Math.min(next, at);
    }
  }
  return next;
}
