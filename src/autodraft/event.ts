// The alert that says an incident was drafted (or published) from a confirmed outage, and the
// components' statuses as the decision reads them from the checks' confirmed states. Pure.
import { STATUS_WORDS } from '../notify/providers/text.ts';
import { componentUrl, problemSince, when, type SiteInfo } from '../notify/events.ts';
import type { NotifyEvent } from '../notify/types.ts';
import type { ConfirmState } from '../runner/confirm.ts';
import { initialConfirmState } from '../runner/confirm.ts';
import { statusFromChecks, type OutageRule } from '../status/component-status.ts';
import type { ComponentStatus } from '../posts/types.ts';
import type { ComponentNow } from './plan.ts';


/** Each component's status, outage start and status start from its checks' confirmed states. */
export function componentsNow(
  components: ReadonlyArray<{ id: string; name: string; essential: boolean; outage: OutageRule }>,
  checks: ReadonlyArray<{ id: string; component: string }>,
  states: ReadonlyMap<string, ConfirmState>,
): ComponentNow[] {
  return components.map((component) => {
    const own = checks.filter((check) => check.component === component.id).map((check) => states.get(check.id) ?? initialConfirmState);
    const status = statusFromChecks(own.map((state) => state.status), component.outage);
    const deciding = own.filter((state) => (status === 'operational' ? state.status === 'up' : state.status === 'down' || state.status === 'degraded'));
    const starts = deciding.map((state) => state.since).filter((since): since is number => since !== null);
    return {
      id: component.id,
      name: component.name,
      essential: component.essential,
      status,
      outageSince: status === 'operational' || status === null ? null : problemSince(own),
      statusSince: starts.length > 0 ? Math.max(...starts) : null,
    };
  });
}

export interface DraftedIncident {
  file: string;
  slug: string;
  title: string;
  start: number;
  components: ReadonlyArray<{ id: string; name: string; status: ComponentStatus }>;
  published: boolean;
}

/**
 * One alert per incident written: keyed by its slug and start, so a restart or a retry never sends
 * it twice. It shares the outage's incidentKey (that of its first component's alert), so PagerDuty,
 * Slack or ntfy put it with the outage it is about.
 */
export function autoIncidentEvent(site: SiteInfo, drafted: DraftedIncident, now: number): NotifyEvent {
  const first = drafted.components[0]!;
  const what = drafted.components.map((c) => `${c.name}: ${STATUS_WORDS[c.status]}`).join('; ');
  const base = site.baseUrl ? (site.baseUrl.endsWith('/') ? site.baseUrl : `${site.baseUrl}/`) : null;
  const page = drafted.published && base ? new URL(`incidents/${drafted.slug}/`, base).href : undefined;
  const text = drafted.published
    ? [
        `statuspost published an incident for the outage its probes measured since ${when(drafted.start, site.timezone)} (${what}): ${drafted.file}.`,
        `Post what you find with \`statuspost update ${drafted.slug}\`; statuspost adds "monitoring" when the probes see it working again, and only a person resolves it.`,
        page ? `Incident page: ${page}` : '',
      ]
    : [
        `statuspost drafted an incident for the outage its probes measured since ${when(drafted.start, site.timezone)} (${what}): ${drafted.file}.`,
        `Nothing is published until you run \`statuspost publish ${drafted.slug}\`; delete the file if it is not an incident.`,
      ];
  const url = page ?? componentUrl(site, first.id);
  return {
    key: `auto-incident:${drafted.slug}:${drafted.start}`,
    kind: 'auto-incident',
    audience: 'operators',
    severity: 'info',
    at: drafted.start,
    createdAt: now,
    title: `Incident ${drafted.published ? 'published' : 'drafted'}: ${drafted.title}`,
    text: text.filter(Boolean).join('\n'),
    components: drafted.components.map((c) => {
      const componentPage = componentUrl(site, c.id);
      return { id: c.id, name: c.name, status: c.status, ...(componentPage ? { url: componentPage } : {}) };
    }),
    incidentKey: `component:${first.id}:${drafted.start}`,
    ...(url ? { url } : {}),
  };
}
