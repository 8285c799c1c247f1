// The daemon's side of alerts: from each result and its check's confirmed change to outbox entries
// (events.ts → route.ts), reminders of open problems, and statuspost's own trouble. It keeps only
// what is cheap to lose: the keys it has already handed over (so a TLS certificate seen on every
// run is not re-written each time; after a restart the outbox skips the keys it has) and when each
// kind of own trouble began.
import type { Config } from '../config/load.ts';
import type { Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import type { Post } from '../posts/types.ts';
import type { ConfirmState } from '../runner/confirm.ts';
import { initialConfirmState } from '../runner/confirm.ts';
import {
  checkEvent,
  componentEvent,
  componentStatusOf,
  problemSince,
  saturationEvent,
  saturationOf,
  selfEvent,
  tlsEvent,
  type SelfTrouble,
  type SiteInfo,
} from './events.ts';
import { dueReminders, type OpenProblem } from './reminders.ts';
import { routeEvent } from './route.ts';
import type { NotifyConfig, NotifyEvent, OutboxEntry } from './types.ts';

export interface AlertsOptions {
  config: Pick<Config, 'site' | 'components' | 'checks'>;
  notify: NotifyConfig;
  /** The posts as last read (maintenance windows silence alerts). */
  posts: () => readonly Post[];
}

export interface Alerts {
  /** Outbox entries one result causes; `states` holds every check's confirmed state after it. */
  onResult(check: Check, result: CheckResult, before: ConfirmState, after: ConfirmState, states: ReadonlyMap<string, ConfirmState>, now: number): OutboxEntry[];
  /** Reminders due at `now` for components not operational. */
  reminders(states: ReadonlyMap<string, ConfirmState>, now: number): OutboxEntry[];
  /** Own trouble began or ended (`troubled`); an entry only on a change. */
  self(trouble: SelfTrouble, troubled: boolean, detail: string, now: number): OutboxEntry | null;
  /** The outbox entry for an event made outside the results (an incident drafted from an outage); null if seen or routed nowhere. */
  event(event: NotifyEvent, now: number): OutboxEntry | null;
  /** Forget a key handed over (its write failed, so it must be handed over again). */
  forget(entries: readonly OutboxEntry[]): void;
  site: SiteInfo;
}

const SEEN_LIMIT = 20_000;

export function siteInfo(config: Pick<Config, 'site'>): SiteInfo {
  return { name: config.site.title, baseUrl: config.site.baseUrl, timezone: config.site.timezone };
}

export function createAlerts(options: AlertsOptions): Alerts {
  const { config, notify } = options;
  const site = siteInfo(config);
  const componentsById = new Map(config.components.map((c) => [c.id, c]));
  const checksByComponent = new Map<string, Check[]>();
  for (const check of config.checks) {
    const list = checksByComponent.get(check.component) ?? [];
    list.push(check);
    checksByComponent.set(check.component, list);
  }
  const seen = new Set<string>();
  const troubleSince = new Map<SelfTrouble, number>();

  const fresh = (event: NotifyEvent | null): event is NotifyEvent => {
    if (!event || seen.has(event.key)) return false;
    seen.add(event.key);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!);
    return true;
  };
  const route = (event: NotifyEvent, now: number) => routeEvent(event, notify.routes, options.posts(), now);
  const info = (check: Check) => ({ id: check.id, name: check.name, component: check.component });

  return {
    site,
    onResult(check, result, before, after, states, now) {
      const events: NotifyEvent[] = [];
      const component = componentsById.get(check.component);
      if (!component) return [];
      if (after.status !== before.status) {
        const siblings = checksByComponent.get(check.component) ?? [check];
        const event = componentEvent({
          site,
          component: { id: component.id, name: component.name, outage: component.outage },
          checks: siblings.map((sibling) => {
            const current = states.get(sibling.id) ?? initialConfirmState;
            return sibling.id === check.id
              ? { check: info(sibling), before, after, message: result.message }
              : { check: info(sibling), before: current, after: current };
          }),
          now,
        });
        if (fresh(event)) events.push(event);
        const componentStatus = componentStatusOf(siblings.map((sibling) => (states.get(sibling.id) ?? initialConfirmState).status), component.outage) ?? 'operational';
        const changed = checkEvent({ site, check: info(check), componentName: component.name, componentStatus, before, after, message: result.message, now });
        if (fresh(changed)) events.push(changed);
      }
      if (check.kind === 'tls' && (result.status === 'degraded' || result.status === 'down')) {
        const event = tlsEvent({ site, check: { ...info(check), warnDays: (check as { warnDays: number }).warnDays }, component, details: result.details, thresholdsDays: notify.tlsThresholdsDays, now });
        if (fresh(event)) events.push(event);
      }
      if ((check.kind === 'redis' || check.kind === 'postgres') && result.status === 'degraded') {
        const ratio = check.kind === 'redis' ? (check as { clientsRatio: number }).clientsRatio : (check as { connectionsRatio: number }).connectionsRatio;
        const saturation = saturationOf(check.kind, result.details, ratio);
        if (saturation) {
          const event = saturationEvent({ site, check: { ...info(check), kind: check.kind }, component, saturation, state: after, now });
          if (fresh(event)) events.push(event);
        }
      }
      return events.map((event) => route(event, now)).filter((entry): entry is OutboxEntry => entry !== null);
    },
    reminders(states, now) {
      if (!notify.routes.some((r) => r.remindEveryMs !== null)) return [];
      const problems: OpenProblem[] = [];
      for (const component of config.components) {
        const checkStates = (checksByComponent.get(component.id) ?? []).map((check) => states.get(check.id) ?? initialConfirmState);
        const status = componentStatusOf(checkStates.map((s) => s.status), component.outage);
        const since = problemSince(checkStates);
        if (status === null || status === 'operational' || status === 'under_maintenance' || since === null) continue;
        problems.push({ component: { id: component.id, name: component.name }, status, since, incidentKey: `component:${component.id}:${since}` });
      }
      return dueReminders({ site, problems, routes: notify.routes, posts: options.posts(), now }).filter((entry) => fresh(entry.event));
    },
    self(trouble, troubled, detail, now) {
      const since = troubleSince.get(trouble);
      if (troubled === (since !== undefined)) return null;
      if (troubled) troubleSince.set(trouble, now);
      else troubleSince.delete(trouble);
      const event = selfEvent({ site, trouble, since: since ?? now, back: !troubled, detail, now });
      return fresh(event) ? route(event, now) : null;
    },
    event(event, now) {
      return fresh(event) ? route(event, now) : null;
    },
    forget(entries) {
      for (const entry of entries) seen.delete(entry.event.key);
    },
  };
}
