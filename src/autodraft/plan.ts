// Incidents drafted from probe outages (site.yaml autoIncidents): what to write, decided from the
// components' confirmed statuses, the open incidents as the files say, and the time passed in. Pure:
// src/autodraft/writer.ts reads the posts, writes what this decides, and asks again on the next change.
//
// The rules, in the order they apply:
// - An open incident (not resolved; published or draft) that names a component covers it: no new
//   incident is drafted for that component, whatever its checks do.
// - An incident the daemon drafted carries `source: probes`. While it is open (and, with
//   autoIncidents: draft, while it is still a draft: once a person publishes it, it is theirs), it is
//   kept current: a component it names getting worse, or another component's outage beginning while
//   its own outage lasts, appends an update with the new statuses.
// - Its outage is over once every component it names has been operational for RECOVERY_WINDOW (a
//   short recovery inside it, a flap, changes nothing): then one `monitoring` update sets them
//   operational. Never `resolved`: a person decides that. A later outage of the same components
//   appends an `investigating` update to it while it stays open.
// - A component in a partial or major outage that nothing covers gets a new incident, dated from
//   the measured start (the first result of the streak that confirmed it).
// - A component inside an announced maintenance window is not drafted for: the outage is the work.
// - A draft the engineer deleted means "not an incident": its components are not drafted again
//   while the same outage lasts (until they have been operational for RECOVERY_WINDOW).
import { STATUS_WORDS } from '../notify/providers/text.ts';
import { STANDARD_MESSAGES } from '../posts/wording.ts';
import type { ComponentStatus, Impact, Incident, IncidentStatus } from '../posts/types.ts';

export type AutoIncidentsMode = 'draft' | 'publish' | 'off';

/** A short recovery (a flap) inside this window is part of the outage; longer, and the outage is over. */
export const RECOVERY_WINDOW_MS = 5 * 60_000;

export interface ComponentNow {
  id: string;
  name: string;
  /** Its major outage is the whole service's (site-wide impact: critical). */
  essential: boolean;
  /** As its checks' confirmed states say; null before any is known. */
  status: ComponentStatus | null;
  /** When its current problem began (the earliest start among its checks not up); null when operational. */
  outageSince: number | null;
  /** When its current status began (the latest start among the checks that make it). */
  statusSince: number | null;
}

/** An incident as the decision needs it (from the loaded posts: published and drafts). */
export interface IncidentView {
  file: string;
  slug: string;
  draft: boolean;
  source: 'probes' | null;
  resolved: boolean;
  startedAt: number;
  /** Each component it names, with the status its latest update gives it. */
  components: Record<string, ComponentStatus>;
  lastUpdate: { at: number; status: IncidentStatus };
}

/** What the daemon remembers of the outages it drafted for: a deleted draft is not written again. */
export interface LedgerEntry {
  file: string;
  /** The last time the component was seen in this outage. */
  lastOutageAt: number;
}
export type Ledger = ReadonlyMap<string, LedgerEntry>;

export type AutoAction =
  | {
      type: 'create';
      title: string;
      impact: Impact;
      start: number;
      components: Record<string, ComponentStatus>;
      /** Without the draft flag (autoIncidents: publish). */
      publish: boolean;
    }
  | {
      type: 'update';
      file: string;
      slug: string;
      at: number;
      status: IncidentStatus;
      /** The components whose status changes (or that join). */
      components: Record<string, ComponentStatus>;
      body: string;
      why: 'worse' | 'joined' | 'again' | 'recovered';
    };

export interface AutoPlan {
  actions: AutoAction[];
  /** Components in outage not drafted because the engineer deleted their draft. */
  declined: Array<{ component: string; file: string }>;
  /** The ledger after these actions are written. */
  ledger: Map<string, LedgerEntry>;
  /** When to look again with no status change (a recovery window ends); null: only on a change. */
  nextAt: number | null;
}

export interface PlanInput {
  mode: AutoIncidentsMode;
  components: readonly ComponentNow[];
  incidents: readonly IncidentView[];
  ledger: Ledger;
  /** Components inside an announced maintenance window now: their outage is the planned work, not an incident. */
  inMaintenance?: ReadonlySet<string>;
  now: number;
  /** Default RECOVERY_WINDOW_MS. */
  recoveryWindowMs?: number;
  /** Site zone's words for a time in update texts ("07:52 PST"). */
  timeWords: (at: number) => string;
}

/** The site's template wording for the first update (as `statuspost new incident` writes it). */
/** The first update's words: the same standard message `statuspost new incident` writes. */
export const INVESTIGATING_WORDS = STANDARD_MESSAGES.investigating;

const OUTAGE_RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 0, degraded_performance: 1, partial_outage: 2, major_outage: 3 };

export const isOutage = (status: ComponentStatus | null): status is 'partial_outage' | 'major_outage' => status === 'partial_outage' || status === 'major_outage';

/** An incident's components with the status its latest update gives each. */
export function incidentView(incident: Incident): IncidentView {
  const components: Record<string, ComponentStatus> = { ...incident.components };
  for (const update of incident.updates) Object.assign(components, update.components);
  const last = incident.updates.at(-1)!;
  return {
    file: incident.file,
    slug: incident.slug,
    draft: incident.draft === true,
    source: incident.source ?? null,
    resolved: incident.resolvedAt !== null,
    startedAt: incident.startedAt,
    components,
    lastUpdate: { at: last.at, status: last.status },
  };
}

/** "Chat nodes, Cache: major outage"; with many or long names, the first and how many more, within a title's 200 characters. */
export function titleFor(names: readonly string[], words: string): string {
  const all = `${names.join(', ')}: ${words}`;
  if ([...all].length <= 120) return all;
  const first = [...names[0]!].slice(0, 80).join('');
  return names.length === 1 ? `${first}: ${words}` : `${first} and ${names.length - 1} more: ${words}`;
}

export function planAutoIncidents(input: PlanInput): AutoPlan {
  const { mode, now, timeWords } = input;
  const window = input.recoveryWindowMs ?? RECOVERY_WINDOW_MS;
  const ledger = new Map(input.ledger);
  const plan: AutoPlan = { actions: [], declined: [], ledger, nextAt: null };
  if (mode === 'off') return plan;
  const byId = new Map(input.components.map((c) => [c.id, c]));
  const open = input.incidents.filter((incident) => !incident.resolved);
  const files = new Set(input.incidents.map((incident) => incident.file));
  const later = (at: number) => {
    if (at > now && (plan.nextAt === null || at < plan.nextAt)) plan.nextAt = at;
  };
  const names = (ids: readonly string[]) => ids.map((id) => byId.get(id)?.name ?? id).join(', ');

  // The daemon's own incidents, which it keeps current.
  const own = open.filter((incident) => incident.source === 'probes' && (mode === 'publish' || incident.draft));
  /** Own incidents whose outage still lasts (a component not operational, or within its recovery window). */
  const live: IncidentView[] = [];
  for (const written of own) {
    const incident = { ...written, components: { ...written.components } };
    const named = Object.keys(incident.components);
    const changes: Record<string, ComponentStatus> = {};
    let at = 0;
    for (const id of named) {
      const current = byId.get(id);
      if (!current || !isOutage(current.status)) continue;
      if (OUTAGE_RANK[current.status] > OUTAGE_RANK[incident.components[id]!]) {
        changes[id] = current.status;
        at = Math.max(at, current.statusSince ?? now);
      }
    }
    const recovered = Object.values(incident.components).every((status) => !isOutage(status));
    if (Object.keys(changes).length > 0) {
      const status: IncidentStatus = recovered || incident.lastUpdate.status === 'monitoring' ? 'investigating' : incident.lastUpdate.status;
      const words = Object.entries(changes).map(([id, s]) => `${names([id])}: ${STATUS_WORDS[s]}`).join('; ');
      const body = recovered
        ? `The problem is back: ${words} since ${timeWords(at)}. We are investigating.`
        : `${words} since ${timeWords(at)}. We are still investigating.`;
      plan.actions.push({ type: 'update', file: incident.file, slug: incident.slug, at: Math.max(at, incident.lastUpdate.at), status, components: changes, body, why: recovered ? 'again' : 'worse' });
      Object.assign(incident.components, changes);
      live.push(incident);
      continue;
    }
    if (recovered) continue; // over: its monitoring update is written
    // Every component it names operational for the whole window: the outage is over.
    const outaged = named.filter((id) => isOutage(incident.components[id]!));
    const back = outaged.map((id) => byId.get(id)).filter((c) => c?.status === 'operational');
    if (back.length === outaged.length) {
      const since = Math.max(...back.map((c) => c!.statusSince ?? now));
      if (now - since >= window) {
        plan.actions.push({
          type: 'update',
          file: incident.file,
          slug: incident.slug,
          at: Math.max(since, incident.lastUpdate.at),
          status: 'monitoring',
          components: Object.fromEntries(outaged.map((id) => [id, 'operational'])),
          body: `${names(outaged)} ${outaged.length === 1 ? 'has' : 'have'} been working again since ${timeWords(since)}. We are monitoring the results.`,
          why: 'recovered',
        });
        continue;
      }
      later(since + window);
    }
    live.push(incident);
  }

  // The ledger: an outage lasted until its component came back; one over for the whole window is forgotten.
  for (const [id, entry] of ledger) {
    const current = byId.get(id);
    if (isOutage(current?.status ?? null)) continue; // updated below
    const lastOutageAt = current?.status === 'operational' && current.statusSince !== null ? Math.max(entry.lastOutageAt, current.statusSince) : entry.lastOutageAt;
    if (now - lastOutageAt > window) ledger.delete(id);
    else ledger.set(id, { ...entry, lastOutageAt });
  }

  // Components in an outage that nothing open covers.
  const covered = new Set(open.flatMap((incident) => Object.keys(incident.components)));
  for (const incident of live) for (const id of Object.keys(incident.components)) covered.add(id);
  const uncovered: ComponentNow[] = [];
  for (const component of input.components) {
    if (!isOutage(component.status)) continue;
    const remembered = ledger.get(component.id);
    if (covered.has(component.id)) {
      const owner = own.find((incident) => component.id in incident.components);
      if (owner) ledger.set(component.id, { file: owner.file, lastOutageAt: now });
      continue;
    }
    if (input.inMaintenance?.has(component.id)) continue;
    const since = component.outageSince ?? now;
    if (remembered && !files.has(remembered.file) && since <= remembered.lastOutageAt + window) {
      plan.declined.push({ component: component.id, file: remembered.file });
      ledger.set(component.id, { ...remembered, lastOutageAt: now });
      continue;
    }
    uncovered.push(component);
  }
  if (uncovered.length === 0) return plan;

  // Another component's outage while one of the daemon's incidents is live: it joins that incident.
  const host = live[0];
  if (host) {
    const at = Math.max(host.lastUpdate.at, ...uncovered.map((c) => c.outageSince ?? now));
    const components = Object.fromEntries(uncovered.map((c) => [c.id, c.status!]));
    const existing = plan.actions.find((action): action is Extract<AutoAction, { type: 'update' }> => action.type === 'update' && action.file === host.file);
    const words = uncovered.map((c) => `${c.name}: ${STATUS_WORDS[c.status!]}`).join('; ');
    const body = `Also affected: ${words} since ${timeWords(Math.min(...uncovered.map((c) => c.outageSince ?? now)))}. We are still investigating.`;
    if (existing) {
      Object.assign(existing.components, components);
      existing.body = `${existing.body} ${body}`;
      existing.at = Math.max(existing.at, at);
    } else {
      const status: IncidentStatus = host.lastUpdate.status === 'monitoring' ? 'investigating' : host.lastUpdate.status;
      plan.actions.push({ type: 'update', file: host.file, slug: host.slug, at, status, components, body, why: 'joined' });
    }
    for (const c of uncovered) ledger.set(c.id, { file: host.file, lastOutageAt: now });
    return plan;
  }

  const worst = uncovered.reduce((a, b) => (OUTAGE_RANK[b.status!] > OUTAGE_RANK[a.status!] ? b : a));
  const impact: Impact = worst.status === 'major_outage' ? (uncovered.some((c) => c.essential && c.status === 'major_outage') ? 'critical' : 'major') : 'minor';
  plan.actions.push({
    type: 'create',
    title: titleFor(uncovered.map((c) => c.name), STATUS_WORDS[worst.status!]),
    impact,
    start: Math.min(...uncovered.map((c) => c.outageSince ?? now)),
    components: Object.fromEntries(uncovered.map((c) => [c.id, c.status!])),
    publish: mode === 'publish',
  });
  return plan;
}
