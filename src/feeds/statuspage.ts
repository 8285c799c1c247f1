// The eight endpoints of Statuspage's public Status API v2, as static files under api/v2/, with its
// exact field names, enums and selection rules, so existing Statuspage clients, widgets and chat
// bots work unchanged. Ids are the post slugs and component ids: stable across builds.
import { createHash } from 'node:crypto';
import { renderMarkdownCached as renderMarkdown } from '../posts/markdown.ts';
import { maintenanceState, type MaintenanceState } from '../posts/state.ts';
import type { Incident, Maintenance, MaintenanceUpdate } from '../posts/types.ts';
import { postmortemWithActionItems } from '../postmortem/action-items.ts';
import { componentName, iso, postUrl, type FeedContext, type FeedFile } from './context.ts';

const LIST_LIMIT = 50;

export function statuspageFiles(context: FeedContext): FeedFile[] {
  const { snapshot, posts, now } = context;
  const pageId = createHash('sha256').update(context.baseUrl).digest('hex').slice(0, 12);
  const page = { id: pageId, name: snapshot.site.title, url: context.baseUrl.replace(/\/$/, ''), time_zone: snapshot.site.timezone, updated_at: snapshot.generatedAt };
  const status = { indicator: snapshot.overall.indicator, description: snapshot.overall.description };

  const created = iso(Math.min(now, ...posts.map((p) => (p.kind === 'incident' ? p.startedAt : p.announcedAt))));
  const components = [
    ...snapshot.groups.map((group, i) => ({
      id: group.id,
      name: group.name,
      status: worstOf(snapshot.components.filter((c) => c.group === group.id).map((c) => c.status)),
      created_at: created,
      updated_at: snapshot.generatedAt,
      position: i + 1,
      description: group.description || null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: true,
      only_show_if_degraded: false,
      components: group.components,
    })),
    ...snapshot.components.map((component, i) => ({
      id: component.id,
      name: component.name,
      status: component.status,
      created_at: created,
      updated_at: snapshot.generatedAt,
      position: snapshot.groups.length + i + 1,
      description: component.description || null,
      showcase: true,
      start_date: null,
      group_id: component.group,
      page_id: pageId,
      group: false,
      only_show_if_degraded: false,
    })),
  ];
  const componentObject = (id: string) => components.find((c) => c.id === id && !c.group) ?? { id, name: componentName(context, id) };

  const incidents = posts
    .filter((p): p is Incident => p.kind === 'incident')
    .sort((a, b) => b.startedAt - a.startedAt)
    .map((incident) => {
      const updates = incident.updates.filter((u) => u.at <= now);
      const last = updates.at(-1);
      const monitoringAt = updates.find((u) => u.status === 'monitoring')?.at;
      let previous: Record<string, string> = {};
      const statusNow = last?.status ?? 'investigating';
      return {
        id: incident.slug,
        name: incident.title,
        status: statusNow === 'resolved' && incident.postmortemAt !== null && incident.postmortemAt <= now ? 'postmortem' : statusNow,
        impact: incident.impact,
        created_at: iso(incident.startedAt),
        updated_at: iso(Math.max(incident.startedAt, last?.at ?? 0, incident.postmortemAt !== null && incident.postmortemAt <= now ? incident.postmortemAt : 0)),
        started_at: iso(incident.startedAt),
        monitoring_at: monitoringAt === undefined ? null : iso(monitoringAt),
        resolved_at: incident.resolvedAt !== null && incident.resolvedAt <= now ? iso(incident.resolvedAt) : null,
        shortlink: postUrl(context, incident),
        page_id: pageId,
        incident_updates: [...updates]
          .map((update, i) => {
            // The first update brings the incident's starting statuses; later ones, what they change.
            const current = { ...(i === 0 ? incident.components : previous), ...update.components };
            const affected = Object.entries(current)
              .filter(([code, next]) => (previous[code] ?? 'operational') !== next)
              .map(([code, next]) => ({ code, name: componentName(context, code), old_status: previous[code] ?? 'operational', new_status: next }));
            previous = current;
            return {
              id: `${incident.slug}-${i + 1}`,
              status: update.status,
              body: renderMarkdown(update.body).text,
              incident_id: incident.slug,
              created_at: iso(update.at),
              updated_at: iso(update.at),
              display_at: iso(update.at),
              affected_components: affected.length > 0 ? affected : null,
              deliver_notifications: true,
              custom_tweet: null,
              tweet_id: null,
            };
          })
          .reverse(), // newest first, as Statuspage lists them
        components: Object.keys(incident.components).map(componentObject),
        ...(incident.postmortemAt !== null && incident.postmortemAt <= now && incident.body.trim()
          ? { postmortem_body: renderMarkdown(postmortemWithActionItems(incident)).text, postmortem_published_at: iso(incident.postmortemAt) }
          : {}),
      };
    });
  const unresolved = incidents.filter((i) => ['investigating', 'identified', 'monitoring'].includes(i.status));

  const maintenances = posts
    .filter((p): p is Maintenance => p.kind === 'maintenance' && p.announcedAt <= now)
    .sort((a, b) => b.startsAt - a.startsAt)
    .map((m) => {
      const state = maintenanceState(m, now);
      const updates = m.updates.filter((u) => u.at <= now);
      const times = maintenanceTimes(m, state, updates, now);
      const statusNow = maintenanceStatus(state, updates);
      return {
        id: m.slug,
        name: m.title,
        status: statusNow,
        impact: 'maintenance',
        created_at: iso(m.announcedAt),
        updated_at: iso(times.updatedAt),
        started_at: iso(times.startedAt),
        monitoring_at: null,
        resolved_at: times.resolvedAt === null ? null : iso(times.resolvedAt),
        shortlink: postUrl(context, m),
        page_id: pageId,
        scheduled_for: iso(m.startsAt),
        scheduled_until: iso(m.endsAt),
        incident_updates: [
          { id: `${m.slug}-0`, status: 'scheduled', body: `${m.affected}${m.unaffected ? ` Still working: ${m.unaffected}` : ''}`, at: m.announcedAt },
          ...updates.map((u, i) => ({
            id: `${m.slug}-${i + 1}`,
            // An update that names no status has the window's status at its time; the newest one, the status now.
            status: u.status ?? (i === updates.length - 1 ? statusNow : clockStatus(m, u.at)),
            body: renderMarkdown(u.body).text,
            at: u.at,
          })),
        ]
          .map(({ at, ...u }) => ({ ...u, incident_id: m.slug, created_at: iso(at), updated_at: iso(at), display_at: iso(at), affected_components: null, deliver_notifications: true, custom_tweet: null, tweet_id: null }))
          .reverse(),
        components: m.components.map(componentObject),
        state, // not in Statuspage's schema; kept out below
      };
    });
  const publicMaintenance = (list: typeof maintenances) => list.map(({ state: _state, ...m }) => m);
  const upcoming = maintenances.filter((m) => m.state === 'upcoming').sort((a, b) => a.scheduled_for.localeCompare(b.scheduled_for));
  const active = maintenances.filter((m) => m.state === 'in_progress' || m.state === 'overrunning');

  const file = (path: string, value: object): FeedFile => ({ path: `api/v2/${path}`, body: `${JSON.stringify(value, null, 1)}\n` });
  return [
    file('summary.json', { page, status, components, incidents: unresolved, scheduled_maintenances: publicMaintenance([...active, ...upcoming]) }),
    file('status.json', { page, status }),
    file('components.json', { page, components }),
    file('incidents.json', { page, incidents: incidents.slice(0, LIST_LIMIT) }),
    file('incidents/unresolved.json', { page, incidents: unresolved }),
    file('scheduled-maintenances.json', { page, scheduled_maintenances: publicMaintenance(maintenances.slice(0, LIST_LIMIT)) }),
    file('scheduled-maintenances/upcoming.json', { page, scheduled_maintenances: publicMaintenance(upcoming) }),
    file('scheduled-maintenances/active.json', { page, scheduled_maintenances: publicMaintenance(active) }),
  ];
}

type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

/**
 * Statuspage's four maintenance statuses from the clock and the updates: scheduled before the window,
 * in_progress in it (verifying when the latest update says so), completed after it. Statuspage has no
 * "cancelled": a cancelled window is completed, with its times kept in order (maintenanceTimes).
 */
function maintenanceStatus(state: MaintenanceState, updates: readonly MaintenanceUpdate[]): MaintenanceStatus {
  if (state === 'upcoming') return 'scheduled';
  if (state === 'in_progress' || state === 'overrunning') return updates.findLast((u) => u.status !== null)?.status === 'verifying' ? 'verifying' : 'in_progress';
  return 'completed';
}

/** The status the clock alone gives a window at `at`, for an update that names none. */
function clockStatus(m: Maintenance, at: number): MaintenanceStatus {
  if (at < m.startsAt) return 'scheduled';
  return m.completedAt !== null && at >= m.completedAt ? 'completed' : 'in_progress';
}

/**
 * A maintenance's event times, always in order: created_at <= started_at <= resolved_at <= updated_at.
 * started_at is when the window began; a window that has not begun, or was cancelled before it
 * began, has started_at = created_at (Statuspage's default for a record that never started), so a
 * cancellation is never resolved before it started. A cancelled window is resolved when it was
 * cancelled: at its latest update (the one saying so), or at its announcement when it has none.
 */
function maintenanceTimes(m: Maintenance, state: MaintenanceState, updates: readonly MaintenanceUpdate[], now: number): { startedAt: number; resolvedAt: number | null; updatedAt: number } {
  const lastUpdate = Math.max(m.announcedAt, ...updates.map((u) => u.at));
  let resolvedAt: number | null = null;
  let began = now >= m.startsAt;
  if (state === 'cancelled') {
    resolvedAt = lastUpdate;
    began = resolvedAt >= m.startsAt;
  }
  const startedAt = began ? Math.max(m.startsAt, m.announcedAt) : m.announcedAt;
  if (state === 'completed') {
    // Done when an update said so; past its overrun limit without one, at its planned end (or an update after it).
    const said = m.completedAt !== null && m.completedAt <= now ? m.completedAt : Math.max(m.endsAt, lastUpdate);
    resolvedAt = Math.max(startedAt, said);
  }
  return { startedAt, resolvedAt, updatedAt: Math.max(lastUpdate, startedAt, resolvedAt ?? 0) };
}

const SEVERITY = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
function worstOf(statuses: readonly string[]): string {
  return statuses.reduce((worst, s) => (SEVERITY.indexOf(s) > SEVERITY.indexOf(worst) ? s : worst), 'operational');
}
