// Which targets an event goes to, per the routes of probes/notify.yaml, and whether it is silenced by
// an announced maintenance window. Pure: posts and the time are passed in.
import { isAnnounced } from '../posts/state.ts';
import type { Post } from '../posts/types.ts';
import { isMaintenanceActive } from '../status/component-status.ts';
import { severityOf } from './events.ts';
import type { NotifyEvent, NotifyRoute, OutboxEntry, Severity } from './types.ts';

/** The default event kinds of a route that names none (kept here and in config.ts alike). */
export const DEFAULT_ROUTE_EVENTS = ['component', 'reminder', 'tls-expiry', 'saturation', 'self'] as const;

/**
 * The announced maintenance window that covers every component of the event at `now`, if any. An
 * event about several components is silenced only when all of them are inside a window: a
 * maintenance of one says nothing about the others.
 */
export function silencingMaintenance(event: Pick<NotifyEvent, 'components'>, posts: readonly Post[], now: number): string | undefined {
  if (event.components.length === 0) return undefined;
  let slug: string | undefined;
  for (const component of event.components) {
    const window = posts.find((post) => post.kind === 'maintenance' && isAnnounced(post, now) && isMaintenanceActive(post, component.id, now));
    if (!window) return undefined;
    slug ??= window.slug;
  }
  return slug;
}

/** The severity a route's filter compares: a resolution counts as the severity of what it resolves. */
function filterSeverity(event: NotifyEvent): Severity {
  if (event.severity !== 'resolved') return event.severity;
  const previous = event.components.map((c) => c.previous).filter((s): s is NonNullable<typeof s> => !!s);
  if (previous.length === 0) return 'resolved';
  const order: Severity[] = ['critical', 'warning', 'info'];
  return order.find((s) => previous.some((p) => severityOf(p) === s)) ?? 'resolved';
}

/** Whether a route selects the event (its kinds, components, severities and resolution flag). */
export function routeSelects(route: NotifyRoute, event: NotifyEvent): boolean {
  if (event.audience !== 'operators') return false;
  if (!route.events.includes(event.kind)) return false;
  if (event.severity === 'resolved' && !route.resolved) return false;
  if (route.components !== null) {
    // Events about no component (statuspost's own) go to routes for every component only.
    if (!event.components.some((c) => route.components!.includes(c.id))) return false;
  }
  if (route.severities !== null) {
    const severity = filterSeverity(event);
    if (severity !== 'resolved' && !route.severities.includes(severity)) return false;
    if (severity === 'resolved' && !route.severities.includes('resolved')) return false;
  }
  return true;
}

/**
 * The outbox entry for an event: every target of every route that selects it, once. Inside an
 * announced, active maintenance window of its components a target's delivery is "silenced"
 * (recorded, not sent) unless a route that selects it says `duringMaintenance: alert`.
 * Null when no route selects it.
 */
export function routeEvent(event: NotifyEvent, routes: readonly NotifyRoute[], posts: readonly Post[], now: number, only?: (route: NotifyRoute) => boolean): OutboxEntry | null {
  const window = silencingMaintenance(event, posts, now);
  const targets = new Map<string, boolean>(); // name → silenced
  for (const route of routes) {
    if (only && !only(route)) continue;
    if (!routeSelects(route, event)) continue;
    const silenced = window !== undefined && route.duringMaintenance === 'silence';
    for (const name of route.targets) targets.set(name, (targets.get(name) ?? true) && silenced);
  }
  if (targets.size === 0) return null;
  const anySilenced = [...targets.values()].some(Boolean);
  return {
    event: anySilenced && window ? { ...event, silencedBy: window } : event,
    targets: [...targets].map(([name, silenced]) => (silenced ? { name, silenced: true } : { name })),
  };
}
