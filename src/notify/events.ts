// What is worth telling operators, as NotifyEvents with unique, stable keys: the same fact always gets
// the same key, so a replayed result, a restart or a second look at a certificate is a no-op in the
// outbox. Pure: every input, time included, is passed in; nothing here reads a clock or the store.
import { formatTime, iso, STATUS_WORDS } from '../site/format.ts';
import type { ConfirmState, ConfirmedStatus } from '../runner/confirm.ts';
import { statusFromChecks, type OutageRule } from '../status/component-status.ts';
import { DAY_MS } from '../store/types.ts';
import type { ComponentStatus, NotifyEvent, Severity } from './types.ts';

/** What the words and links of an alert need to know about the site (from probes/site.yaml). */
export interface SiteInfo {
  name: string;
  /** The site's public address (site.yaml baseUrl); null when it has none to link to. */
  baseUrl: string | null;
  /** Alerts give times in this zone, with UTC beside it, as the pages do. */
  timezone: string;
}

export interface CheckInfo {
  id: string;
  name?: string | undefined;
  component: string;
}

/** "Wed, Dec 2, 2026, 02:03 PM PST (22:03 UTC)": the site's zone first, UTC for everyone else. */
export function when(ms: number, timezone: string): string {
  const utc = `${iso(ms).slice(11, 16)} UTC`;
  return timezone === 'UTC' || timezone === 'Etc/UTC' ? `${formatTime(ms, 'UTC')}` : `${formatTime(ms, timezone)} (${utc})`;
}

/** The component's page on the published site, or undefined without a public address. */
export function componentUrl(site: SiteInfo, componentId: string): string | undefined {
  if (!site.baseUrl) return undefined;
  const base = site.baseUrl.endsWith('/') ? site.baseUrl : `${site.baseUrl}/`;
  return new URL(`components/${componentId}/`, base).href;
}

/** "12 min", "3 h 5 min", "2 d 4 h": how long something lasted, for people. */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

export function severityOf(status: ComponentStatus): Severity {
  if (status === 'major_outage' || status === 'partial_outage') return 'critical';
  if (status === 'degraded_performance') return 'warning';
  if (status === 'under_maintenance') return 'info';
  return 'resolved';
}

const lower = (status: ComponentStatus) => STATUS_WORDS[status].toLowerCase();

// ---------------------------------------------------------------------------------------------
// Component changes.

export interface ComponentChangeInput {
  site: SiteInfo;
  component: { id: string; name: string; outage: OutageRule };
  /** Every check of the component, with its confirmed state before and after this change. */
  checks: ReadonlyArray<{ check: CheckInfo; before: ConfirmState; after: ConfirmState; message?: string }>;
  /** When statuspost writes the event (epoch ms). */
  now: number;
}

/** The component's status as its checks say, from their confirmed states (null: no data yet). */
export function componentStatusOf(states: readonly ConfirmedStatus[], rule: OutageRule): ComponentStatus | null {
  return statusFromChecks(states, rule);
}

/**
 * When the component's current problem began: the earliest start among its checks that are not up.
 * Trigger and resolution of one problem share it, so it names the problem (incidentKey).
 */
export function problemSince(states: ReadonlyArray<ConfirmState>): number | null {
  let since: number | null = null;
  for (const state of states) {
    if (state.status === 'down' || state.status === 'degraded') {
      if (state.since !== null && (since === null || state.since < since)) since = state.since;
    }
  }
  return since;
}

/**
 * The component event for a confirmed change of one or more of its checks, or null when the
 * component's status did not change (a second node down of three that stays a partial outage) or
 * only came to be known (unknown → operational at start).
 */
export function componentEvent(input: ComponentChangeInput): NotifyEvent | null {
  const { site, component, checks, now } = input;
  const before = componentStatusOf(checks.map((c) => c.before.status), component.outage) ?? 'operational';
  const after = componentStatusOf(checks.map((c) => c.after.status), component.outage);
  if (after === null || after === before) return null;
  const url = componentUrl(site, component.id);
  const changed = checks.filter((c) => c.before.status !== c.after.status && c.after.since !== null);
  // Dated from the measured start: the first result of the streak that confirmed the change.
  const at = Math.min(...changed.map((c) => c.after.since!), now);
  const started = problemSince(checks.map((c) => (after === 'operational' ? c.before : c.after))) ?? at;
  const incidentKey = `component:${component.id}:${started}`;
  const notUp = checks.filter((c) => c.after.status === 'down' || c.after.status === 'degraded');
  const checkLines = checks.map((c) => ({ id: c.check.id, status: c.after.status, message: c.message ?? '' }));
  const base = {
    key: `component:${component.id}:${at}:${after}`,
    kind: 'component' as const,
    audience: 'operators' as const,
    at,
    createdAt: now,
    components: [{ id: component.id, name: component.name, status: after, previous: before, ...(url ? { url } : {}) }],
    checks: checkLines,
    incidentKey,
    ...(url ? { url } : {}),
  };
  if (after === 'operational') {
    const text = [
      `${component.name} is operational again since ${when(at, site.timezone)}, after ${lower(before)} for ${duration(at - started)} (since ${when(started, site.timezone)}).`,
      url ? `Component page: ${url}` : '',
    ].filter(Boolean).join('\n');
    return { ...base, severity: 'resolved', title: `${component.name}: operational again`, text };
  }
  const direction = before === 'operational' ? '' : ` (was ${lower(before)})`;
  const down = notUp.map((c) => `${c.check.name ?? c.check.id}${c.message ? ` (${c.message})` : ''}`);
  const text = [
    `${component.name}: ${lower(after)}${direction} since ${when(at, site.timezone)}.`,
    `${notUp.length} of ${checks.length} check${checks.length === 1 ? '' : 's'} failing${down.length ? `: ${down.join('; ')}` : ''}.`,
    url ? `Component page: ${url}` : '',
  ].filter(Boolean).join('\n');
  return { ...base, severity: severityOf(after), title: `${component.name}: ${lower(after)}`, text };
}

// ---------------------------------------------------------------------------------------------
// Check changes (for routes that ask for checks).

const CHECK_SEVERITY: Record<ConfirmedStatus, Severity> = { down: 'critical', degraded: 'warning', up: 'resolved', unknown: 'info' };

export function checkEvent(input: {
  site: SiteInfo;
  check: CheckInfo;
  componentName: string;
  /** The component's status after the change: routes select by component, maintenance silences by it. */
  componentStatus?: ComponentStatus;
  before: ConfirmState;
  after: ConfirmState;
  message: string;
  now: number;
}): NotifyEvent | null {
  const { site, check, before, after, now } = input;
  if (after.status === before.status || after.status === 'unknown') return null;
  if (before.status === 'unknown' && after.status === 'up') return null; // only came to be known
  const at = after.since ?? now;
  const url = componentUrl(site, check.component);
  const name = check.name ?? check.id;
  const words = after.status === 'up' ? 'up again' : after.status;
  return {
    key: `check:${check.id}:${at}:${after.status}`,
    kind: 'check',
    audience: 'operators',
    severity: CHECK_SEVERITY[after.status],
    at,
    createdAt: now,
    title: `Check ${name}: ${words}`,
    text: [
      `Check ${name} (component ${input.componentName}) is ${words} since ${when(at, site.timezone)}${before.status === 'unknown' ? '' : `, was ${before.status}`}: ${input.message}.`,
      url ? `Component page: ${url}` : '',
    ].filter(Boolean).join('\n'),
    components: input.componentStatus ? [{ id: check.component, name: input.componentName, status: input.componentStatus, ...(url ? { url } : {}) }] : [],
    checks: [{ id: check.id, status: after.status, message: input.message }],
    incidentKey: `check:${check.id}:${after.status === 'up' ? (before.since ?? at) : at}`,
    ...(url ? { url } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// TLS certificates: one alert entering the warning window, then one at each threshold.

export type TlsStage = { kind: 'window' } | { kind: 'threshold'; days: number } | { kind: 'expired' };

/**
 * Where a certificate stands: outside its warning days (null), inside them, past a threshold (the
 * smallest one crossed: a certificate first seen 2 days before expiry is one alert, not four), or
 * expired. Thresholds at or above warnDays are inside the window's own alert.
 */
export function tlsStage(msLeft: number, warnDays: number, thresholdsDays: readonly number[]): TlsStage | null {
  if (msLeft <= 0) return { kind: 'expired' };
  const crossed = thresholdsDays.filter((days) => days < warnDays && msLeft <= days * DAY_MS);
  if (crossed.length > 0) return { kind: 'threshold', days: Math.min(...crossed) };
  if (msLeft < warnDays * DAY_MS) return { kind: 'window' };
  return null;
}

export function tlsEvent(input: {
  site: SiteInfo;
  check: CheckInfo & { warnDays: number };
  component: { id: string; name: string };
  /** The tls probe's details: notAfter (ISO), subject, issuer. */
  details: Readonly<Record<string, unknown>>;
  thresholdsDays: readonly number[];
  now: number;
}): NotifyEvent | null {
  const notAfterText = input.details.notAfter;
  if (typeof notAfterText !== 'string') return null;
  const notAfter = Date.parse(notAfterText);
  if (Number.isNaN(notAfter)) return null;
  const { site, check, component, now } = input;
  const stage = tlsStage(notAfter - now, check.warnDays, input.thresholdsDays);
  if (!stage) return null;
  const subject = typeof input.details.subject === 'string' ? input.details.subject : null;
  const name = check.name ?? check.id;
  const daysLeft = Math.trunc((notAfter - now) / DAY_MS);
  const left = stage.kind === 'expired' ? 'has expired' : daysLeft === 0 ? 'expires in less than a day' : `expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
  const stageKey = stage.kind === 'threshold' ? `${stage.days}d` : stage.kind;
  const url = componentUrl(site, component.id);
  return {
    // The expiry is in the key: a renewed certificate starts its own series of alerts.
    key: `tls:${check.id}:${iso(notAfter)}:${stageKey}`,
    kind: 'tls-expiry',
    audience: 'operators',
    severity: stage.kind === 'expired' || (stage.kind === 'threshold' && stage.days <= 3) ? 'critical' : 'warning',
    at: now,
    createdAt: now,
    title: `Certificate of ${name} ${left}`,
    text: [
      `The TLS certificate checked by ${name}${subject ? ` (${subject})` : ''} for ${component.name} ${left}: valid until ${when(notAfter, site.timezone)}.`,
      stage.kind === 'expired' ? 'Clients refuse it now: renew and deploy it.' : 'Renew it and deploy the new one before then.',
      url ? `Component page: ${url}` : '',
    ].filter(Boolean).join('\n'),
    components: [{ id: component.id, name: component.name, status: stage.kind === 'expired' ? 'major_outage' : 'degraded_performance', ...(url ? { url } : {}) }],
    checks: [{ id: check.id, status: stage.kind === 'expired' ? 'down' : 'degraded', message: `certificate ${left}` }],
    incidentKey: `tls:${check.id}:${iso(notAfter)}`,
    ...(url ? { url } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Saturation: Redis near maxclients, PostgreSQL near max_connections (the probes' degraded results).

export interface Saturation {
  used: number;
  limit: number;
  what: 'maxclients' | 'max_connections';
}

/** Reads a redis or postgres result's details; undefined when it is not near its limit. */
export function saturationOf(kind: string, details: Readonly<Record<string, unknown>>, ratio: number): Saturation | undefined {
  const pair =
    kind === 'redis'
      ? { used: details.connectedClients, limit: details.maxClients, what: 'maxclients' as const }
      : kind === 'postgres'
        ? { used: details.connections, limit: details.maxConnections, what: 'max_connections' as const }
        : undefined;
  if (!pair || typeof pair.used !== 'number' || typeof pair.limit !== 'number' || pair.limit <= 0) return undefined;
  return pair.used / pair.limit >= ratio ? { used: pair.used, limit: pair.limit, what: pair.what } : undefined;
}

/**
 * One alert per saturated spell of a check: keyed by when the check's confirmed degraded status
 * began (kept across restarts), so every saturated result of the spell is the same fact.
 */
export function saturationEvent(input: {
  site: SiteInfo;
  check: CheckInfo & { kind: string };
  component: { id: string; name: string };
  saturation: Saturation;
  /** The check's confirmed state: only a confirmed degraded spell alerts, not one blip. */
  state: ConfirmState;
  now: number;
}): NotifyEvent | null {
  const { site, check, component, saturation, state, now } = input;
  if (state.status !== 'degraded' || state.since === null) return null;
  const name = check.name ?? check.id;
  const percent = Math.floor((saturation.used * 100) / saturation.limit);
  const server = check.kind === 'redis' ? 'Redis' : 'PostgreSQL';
  const unit = check.kind === 'redis' ? 'clients' : 'connections';
  const url = componentUrl(site, component.id);
  return {
    key: `saturation:${check.id}:${state.since}`,
    kind: 'saturation',
    audience: 'operators',
    severity: percent >= 95 ? 'critical' : 'warning',
    at: state.since,
    createdAt: now,
    title: `${server} ${name} near ${saturation.what}: ${percent}%`,
    text: [
      `${server} checked by ${name} (${component.name}) has ${saturation.used} of ${saturation.limit} ${unit} (${percent}% of ${saturation.what}) since ${when(state.since, site.timezone)}.`,
      `New ${unit} are refused once it is full: find who holds them, or raise ${saturation.what}.`,
      url ? `Component page: ${url}` : '',
    ].filter(Boolean).join('\n'),
    components: [{ id: component.id, name: component.name, status: 'degraded_performance', ...(url ? { url } : {}) }],
    checks: [{ id: check.id, status: 'degraded', message: `${saturation.used} of ${saturation.limit} ${unit}` }],
    incidentKey: `saturation:${check.id}:${state.since}`,
    ...(url ? { url } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// statuspost's own trouble.

export type SelfTrouble = 'store' | 'publish' | 'posts';

const SELF_WORDS: Record<SelfTrouble, { down: string; back: string; hint: string }> = {
  store: { down: 'the store is unavailable', back: 'the store is reachable again', hint: 'Results wait in memory (bounded) and writes are retried; alerts from probes wait with them.' },
  publish: { down: 'publishing the site fails', back: 'the site is published again', hint: 'The published site stays as it was: the status page is not current.' },
  posts: { down: 'posts under content/ are invalid', back: 'the posts under content/ are valid again', hint: 'The last good posts stay published; see the post-invalid log lines for file and line.' },
};

/** Trouble began (`back` false) or ended; keyed by when it began, so each spell alerts once each way. */
export function selfEvent(input: { site: SiteInfo; trouble: SelfTrouble; since: number; back: boolean; detail: string; now: number }): NotifyEvent {
  const { site, trouble, since, back, detail, now } = input;
  const words = SELF_WORDS[trouble];
  const at = back ? now : since;
  return {
    key: `self:${trouble}:${since}:${back ? 'back' : 'down'}`,
    kind: 'self',
    audience: 'operators',
    severity: back ? 'resolved' : trouble === 'posts' ? 'warning' : 'critical',
    at,
    createdAt: now,
    title: `statuspost: ${back ? words.back : words.down}`,
    text: back
      ? `statuspost (${site.name}): ${words.back} since ${when(now, site.timezone)}, after ${duration(now - since)} (since ${when(since, site.timezone)}).`
      : `statuspost (${site.name}): ${words.down} since ${when(since, site.timezone)}: ${detail}\n${words.hint}`,
    components: [],
    incidentKey: `self:${trouble}:${since}`,
  };
}
