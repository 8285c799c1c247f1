// Which roles a `statuspost run` takes, and their wiring, so the daemon and the run command stay thin:
//
// - Every run probes from its location and records into the store (src/daemon).
// - A publisher candidate (no --no-publish) on PostgreSQL, or with several locations on any engine,
//   holds the publisher lease to build (lease.ts); its swap is fenced by the lease's token.
//   With SQLite and one location nothing changes: one daemon per file (its lock), no lease.
// - With `site.locations` of two or more, a publisher candidate follows the other locations'
//   results (follow.ts) and votes (verdicts.ts); the lease holder writes the verdicts with their
//   alerts. Every daemon then makes no alerts from its own view of the checks (only own trouble).
import type { Config } from '../config/load.ts';
import type { Logger } from '../daemon/log.ts';
import type { Alerts } from '../notify/alerts.ts';
import type { Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import type { ConfirmState } from '../runner/confirm.ts';
import { zoneDays } from '../status/component-days.ts';
import type { Store } from '../store/types.ts';
import { asCheckResult, startFollower, type Follower } from './follow.ts';
import { PUBLISHER_LEASE, startLeaseKeeper, type LeaseKeeper } from './lease.ts';
import { LiveByLocation } from './live.ts';
import type { AgreedState } from './quorum.ts';
import { createVerdicts, type Verdicts } from './verdicts.ts';

/** How long a build waits for the follower's first cursor. */
const FOLLOW_READY_MS = 10_000;

/** Several locations are voted over: site.locations names two or more. */
export function votesOverLocations(config: Pick<Config, 'site'>): boolean {
  return (config.site.locations?.length ?? 0) >= 2;
}

/** A publisher candidate holds the lease on PostgreSQL (several machines may publish), or when it votes over locations (verdicts are written fenced). */
export function needsLease(config: Pick<Config, 'site'>, publishes: boolean): boolean {
  return publishes && (config.site.store.engine === 'postgres' || votesOverLocations(config));
}

export interface LocationRolesOptions {
  /** With the run's location (--location) already in site.location. */
  config: Config;
  store: Store;
  logger: Logger;
  /** A publisher candidate (no --no-publish). */
  publishes: boolean;
  alerts?: Alerts;
  /** The lease was gained: publish now. */
  onGained?: (token: number) => void;
  /** An agreed change was written. */
  onVerdict?: (check: Check, state: AgreedState) => void;
  /** One location's own view of a check changed (the page shows each location's view). */
  onLocationChange?: (check: Check, location: string, status: string) => void;
  /** Alerts were written to the outbox. */
  onOutbox?: () => void;
}

export interface LocationRoles {
  /** Votes over several locations: no alerts from the daemon's own view. */
  readonly votes: boolean;
  readonly lease: LeaseKeeper | undefined;
  /** Every voted location's kept state (the daemon feeds its own location's). */
  readonly byLocation: LiveByLocation | undefined;
  readonly verdicts: Verdicts | undefined;
  readonly follower: Follower | undefined;
  /** For the publisher (startPublisher's `lease`): build only while holding it, swap fenced. */
  readonly publisherLease: { token(): number | null; commit(token: number, swap: () => Promise<void>): Promise<void> } | undefined;
  /** Each of the daemon's own results. */
  observe(check: Check, result: CheckResult): void;
  /** Before a build: the follower holds its first cursor (so the build's read of the rows misses nothing). */
  beforeBuild(): Promise<void>;
  /** The checks' statuses auto incidents follow: the agreed ones when voting (none on a prober), else undefined (the daemon's own). */
  agreedStatuses(): Record<string, ConfirmState> | undefined;
  /** After the publisher stopped: stop following, give the lease up. */
  stop(): Promise<void>;
}

export async function startLocationRoles(options: LocationRolesOptions): Promise<LocationRoles> {
  const { config, store, logger } = options;
  const own = config.site.location;
  const votes = votesOverLocations(config);
  let lease: LeaseKeeper | undefined;
  let verdicts: Verdicts | undefined;
  let follower: Follower | undefined;
  let byLocation: LiveByLocation | undefined;

  if (votes && options.publishes) {
    const locations = config.site.locations!;
    byLocation = new LiveByLocation(zoneDays(config.site.timezone));
    verdicts = createVerdicts({
      config,
      locations,
      store,
      logger,
      token: () => lease?.token() ?? null,
      ...(options.alerts ? { alerts: options.alerts } : {}),
      ...(options.onVerdict ? { onChange: options.onVerdict } : {}),
      ...(options.onLocationChange ? { onLocationChange: options.onLocationChange } : {}),
      ...(options.onOutbox ? { onOutbox: options.onOutbox } : {}),
    });
    const checks = new Map(config.checks.map((check) => [check.id, check]));
    const vote = verdicts;
    // Started before the rows are read (the restore here, the first publish's gather): see follow.ts.
    follower = startFollower({
      store,
      live: byLocation,
      checks: config.checks,
      locations,
      own,
      logger,
      onPoll: (taken) => {
        for (const result of taken) vote.observe(result.location, asCheckResult(result, checks.get(result.checkId)!.kind));
        void vote.evaluate(); // after every poll: a location's freshness changes with time alone
      },
    });
    await verdicts.restore(Date.now());
    if (!locations.includes(own)) logger.warn('location-not-voted', `this daemon's location "${own}" is not in site.locations (${locations.join(', ')}): its results are recorded but not voted on`);
  }

  if (needsLease(config, options.publishes)) {
    let failing = false;
    lease = startLeaseKeeper({
      store,
      onGained: (token) => {
        failing = false;
        logger.info('lease', `lease gained (token ${token})`, { token, lease: PUBLISHER_LEASE });
        try {
          options.onGained?.(token);
        } catch (error) {
          // A bug in the caller's hook must not stop the lease keeper (it would never renew again).
          logger.error('lease-hook-failed', `after gaining the lease: ${(error as Error).stack ?? String(error)}`);
        }
        void verdicts?.evaluate();
      },
      onLost: (reason) => logger.warn('lease-lost', `lease lost: ${reason}`, { lease: PUBLISHER_LEASE }),
      onError: (error) => {
        if (!failing) logger.warn('lease-failed', `the publisher lease cannot be taken: ${error.message}; tried again every 2 s`, { lease: PUBLISHER_LEASE });
        failing = true;
      },
    });
    logger.info('lease-candidate', `publishing only while holding the publisher lease (holder ${lease.holder})`, { holder: lease.holder });
  }

  const keeper = lease;
  return {
    votes,
    lease,
    byLocation,
    verdicts,
    follower,
    publisherLease: keeper
      ? {
          token: () => keeper.token(),
          commit: (token, swap) => store.fenced(PUBLISHER_LEASE, token, {}, swap),
        }
      : undefined,
    observe(_check, result) {
      verdicts?.observe(own, result);
    },
    async beforeBuild() {
      if (!follower) return;
      // Bounded: a store down since the start fails this build (retried) instead of holding it, and
      // with it the publisher's stop, for ever.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the other locations\' results cannot be followed yet (the store does not answer)')), FOLLOW_READY_MS);
      });
      try {
        await Promise.race([follower.ready, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    agreedStatuses() {
      if (!votes) return undefined;
      return verdicts ? Object.fromEntries(verdicts.states()) : {};
    },
    async stop() {
      await follower?.stop();
      await lease?.stop();
    },
  };
}
