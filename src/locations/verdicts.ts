// The publisher's verdicts: what the locations agree each check's status is. Each location's
// results go through the check's confirmation thresholds there (one ConfirmState per check and
// location), a location without a result within the check's gap limit is no data, and the check's
// quorum rule decides (quorum.ts: agreedNext). The lease holder writes each agreed change with the
// alerts it causes in one fenced transaction (store.fenced): a publisher that lost the lease writes
// neither. A publisher taking over resumes from the stored verdicts, so a change the old holder
// already wrote is not alerted twice, and one it had not written yet is written now.
//
// Pure parts (reports, the rule, the log line, the result handed to the alerts) are functions at
// the top; the state holder below only keeps states and calls them.
import { quorumFor } from '../status/agreed.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../daemon/log.ts';
import { StatuspostError } from '../errors.ts';
import type { Alerts } from '../notify/alerts.ts';
import type { OutboxEntry } from '../notify/types.ts';
import type { Check } from '../probes/registry.ts';
import type { CheckResult, ProbeStatus } from '../probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmState } from '../runner/confirm.ts';
import { lookbackFor } from '../live/live-status.ts';
import { gapLimitFor } from '../store/rollup.ts';
import type { Store, Verdict } from '../store/types.ts';
import { PUBLISHER_LEASE } from './lease.ts';
import { agreedNext, initialAgreedState, type AgreedState, type LocationReport, type Vote } from './quorum.ts';

/** One check at one location: its confirmed state there and its latest result. */
export interface LocationState {
  confirm: ConfirmState;
  last: Pick<CheckResult, 'status' | 'startedAt' | 'message' | 'details'> | null;
}

export const initialLocationState: LocationState = { confirm: initialConfirmState, last: null };

/** A location's state after a result; unchanged for one not newer than its latest (a duplicate). */
export function locationNext(state: LocationState, result: LocationState['last'] & object, check: Pick<Check, 'confirm'>): LocationState {
  if (state.last && result.startedAt <= state.last.startedAt) return state;
  return { confirm: confirmNext(state.confirm, result, check.confirm), last: result };
}

/** What a location reports at `now`: its confirmed status if its latest result is within the gap limit, else no data. */
export function locationReport(location: string, state: LocationState | undefined, now: number, gapLimitMs: number): LocationReport {
  const fresh = state?.last != null && now - state.last.startedAt <= gapLimitMs && state.last.startedAt <= now;
  if (!state || !fresh) return { location, status: 'unknown', since: null };
  return { location, status: state.confirm.status, since: state.confirm.since };
}

/** The check's rule: its own `quorum`, else its component's, else majority (src/status/agreed.ts). */
export const quorumOf = quorumFor;

/** "verdict: check api is down (2 of 3 locations: a, b)" */
export function verdictLine(checkId: string, state: AgreedState, vote: Vote): string {
  if (state.status === 'unknown') return `verdict: check ${checkId} is unknown (no location reports it)`;
  return `verdict: check ${checkId} is ${state.status} (${vote.agreeing.length} of ${vote.of} locations: ${vote.agreeing.join(', ')})`;
}

/** An agreed state as the alerts take a check's confirmed state. */
export const asConfirmState = (state: AgreedState): ConfirmState => ({ status: state.status, since: state.since, pending: null });

/**
 * The result the alerts are given for an agreed change (they were written for one location's
 * result): the agreed status, dated from the agreed start, with the message of a location that
 * formed the quorum and the locations named, and that location's details (TLS days left).
 */
export function agreedResult(check: Pick<Check, 'id' | 'kind'>, state: AgreedState, vote: Vote, states: ReadonlyMap<string, LocationState>, now: number): CheckResult {
  const from = vote.agreeing.map((location) => states.get(location)?.last).find((last) => last != null);
  const status: ProbeStatus = state.status === 'unknown' ? 'up' : state.status;
  const where = state.status === 'unknown' ? 'no location reports it' : `${vote.agreeing.length} of ${vote.of} locations: ${vote.agreeing.join(', ')}`;
  return {
    checkId: check.id,
    kind: check.kind,
    status,
    startedAt: state.since ?? now,
    latencyMs: null,
    message: from ? `${from.message} (${where})` : where,
    details: from?.details ?? {},
  };
}

export interface VerdictsOptions {
  config: Pick<Config, 'checks' | 'components'>;
  /** The locations voted over (site.locations). */
  locations: readonly string[];
  store: Pick<Store, 'fenced' | 'verdicts' | 'results'>;
  logger: Logger;
  /** The fencing token while this process holds the publisher's lease, else null: only the holder writes and alerts. */
  token: () => number | null;
  /** Agreed changes become alerts here (the lease holder's; probers make none from their own view). */
  alerts?: Alerts;
  /** An agreed change was written (the publisher republishes). */
  onChange?: (check: Check, state: AgreedState) => void;
  /**
   * One location's confirmed status of a check changed, whether or not the vote follows it: the
   * page shows each location's view ("1 of 3 locations sees it down"), so it is republished.
   */
  onLocationChange?: (check: Check, location: string, status: ConfirmState['status']) => void;
  /** Alerts were written to the outbox (the sender wakes). */
  onOutbox?: () => void;
  now?: () => number;
}

export interface Verdicts {
  /** A location's result (the daemon's own as it makes them, the others' from the follower). */
  observe(location: string, result: CheckResult): void;
  /** Votes every check at now and, holding the lease, writes the changes. Serialised; calls during one make one more. */
  evaluate(): Promise<void>;
  /** Every location's state from the stored rows of the last lookback (before evaluating the first time). */
  restore(now: number): Promise<void>;
  /** The agreed state of every check, as confirmed states (reminders, auto incidents). */
  states(): Map<string, ConfirmState>;
  /** The latest vote of a check (status pages, tests). */
  vote(checkId: string): Vote | undefined;
}

export function createVerdicts(options: VerdictsOptions): Verdicts {
  const { config, store, logger, alerts } = options;
  const now = options.now ?? Date.now;
  const voted = [...new Set(options.locations)];
  const checks = new Map(config.checks.map((check) => [check.id, check]));
  const components = new Map(config.components.map((component) => [component.id, component]));
  /** check id → location → state */
  const byCheck = new Map<string, Map<string, LocationState>>(config.checks.map((check) => [check.id, new Map()]));
  const agreed = new Map<string, AgreedState>();
  const votes = new Map<string, Vote>();
  let restored = false;
  /** Results observed before the restore read the rows: replayed after them. */
  const early: Array<{ location: string; result: CheckResult }> = [];
  /** The token whose stored verdicts were read (a new holder resumes from them). */
  let resumedFor: number | null = null;
  let running: Promise<void> | undefined;
  let again = false;
  let failing: string | null = null;
  /**
   * A check's vote changes only with a new result at some location, or when a location's latest goes
   * stale: only those are voted again (10,000 checks at 3 locations: the ~330 with a new result each
   * second, not all of them). `staleAt`: when the check's next fresh location goes stale.
   */
  const dirty = new Set<string>();
  const staleAt = new Map<string, number>();
  /** Everything is voted on the first evaluation and after the agreed states were replaced (a resume). */
  let voteAll = true;
  let lastVoteAt = Number.NEGATIVE_INFINITY;

  const take = (location: string, result: CheckResult): boolean => {
    const check = checks.get(result.checkId);
    const states = byCheck.get(result.checkId);
    if (!check || !states || !voted.includes(location)) return false;
    const before = states.get(location) ?? initialLocationState;
    const after = locationNext(before, result, check);
    states.set(location, after);
    if (after !== before) dirty.add(check.id);
    return after.confirm.status !== before.confirm.status;
  };

  const resume = async (token: number) => {
    const stored = await store.verdicts();
    agreed.clear();
    for (const verdict of stored) agreed.set(verdict.checkId, { status: verdict.status, since: verdict.since });
    resumedFor = token;
    voteAll = true;
  };

  const confirmStates = (): Map<string, ConfirmState> => new Map(config.checks.map((check) => [check.id, asConfirmState(agreed.get(check.id) ?? initialAgreedState)]));

  const run = async (): Promise<void> => {
    const at = now();
    const token = options.token();
    if (token !== null && resumedFor !== token) {
      try {
        await resume(token);
      } catch (error) {
        report(`the stored verdicts could not be read: ${(error as Error).message}`);
        return;
      }
    }
    if (token === null) resumedFor = null;
    const changes: Array<{ check: Check; before: AgreedState; after: AgreedState; vote: Vote }> = [];
    // A clock set back makes every freshness deadline wrong: all are voted again then.
    const all = voteAll || at < lastVoteAt;
    voteAll = false;
    lastVoteAt = at;
    for (const check of config.checks) {
      if (!all && !dirty.has(check.id) && (staleAt.get(check.id) ?? Number.POSITIVE_INFINITY) > at) continue;
      dirty.delete(check.id);
      const states = byCheck.get(check.id)!;
      const gapLimitMs = gapLimitFor(check);
      const reports = voted.map((location) => locationReport(location, states.get(location), at, gapLimitMs));
      let next = Number.POSITIVE_INFINITY;
      for (const state of states.values()) {
        const last = state.last?.startedAt;
        // Fresh until last + gap limit; one still ahead of the clock becomes fresh at its time.
        if (last !== undefined) next = Math.min(next, last > at ? last : last + gapLimitMs >= at ? last + gapLimitMs + 1 : Number.POSITIVE_INFINITY);
      }
      staleAt.set(check.id, next);
      const before = agreed.get(check.id) ?? initialAgreedState;
      const { state, vote } = agreedNext(before, reports, quorumOf(check, components.get(check.component)), { datingSpanMs: lookbackFor(check) });
      votes.set(check.id, vote);
      if (state.status !== before.status) changes.push({ check, before, after: state, vote });
    }
    if (token === null) {
      // Not the holder: kept current, so a takeover starts warm; written and alerted by the holder only.
      for (const change of changes) agreed.set(change.check.id, change.after);
      // Its standby build follows the agreed status too, so a takeover publishes it at once.
      for (const change of changes) options.onChange?.(change.check, change.after);
      return;
    }
    const after = confirmStates();
    for (const change of changes) after.set(change.check.id, asConfirmState(change.after));
    const outbox: OutboxEntry[] = [];
    if (alerts) {
      // One change at a time, as the daemon does for results: each sees the states after those before it.
      const states = confirmStates();
      for (const change of changes) {
        states.set(change.check.id, asConfirmState(change.after));
        try {
          const result = agreedResult(change.check, change.after, change.vote, byCheck.get(change.check.id)!, at);
          outbox.push(...alerts.onResult(change.check, result, asConfirmState(change.before), asConfirmState(change.after), states, at));
        } catch (error) {
          logger.error('alerts-failed', `alerts for check ${change.check.id} could not be made: ${(error as Error).stack ?? String(error)}`, { check: change.check.id });
        }
      }
      try {
        outbox.push(...alerts.reminders(after, at));
      } catch (error) {
        logger.error('alerts-failed', `reminders could not be made: ${(error as Error).message}`);
      }
    }
    if (changes.length === 0 && outbox.length === 0) return;
    const verdicts: Verdict[] = changes.map(({ check, after: state, vote }) => ({ checkId: check.id, status: state.status, since: state.since, at, locations: vote.agreeing }));
    try {
      await store.fenced(PUBLISHER_LEASE, token, { verdicts, outbox });
    } catch (error) {
      alerts?.forget(outbox); // not written: made again at the next evaluation (same keys)
      for (const change of changes) dirty.add(change.check.id); // voted again then
      const lost = error instanceof StatuspostError && error.code === 'SP_LEASE_LOST';
      report(lost ? `the verdicts were refused: ${error.message}` : `the verdicts could not be written: ${(error as Error).message}; retried`);
      return;
    }
    failing = null;
    for (const change of changes) {
      agreed.set(change.check.id, change.after);
      const level = change.after.status === 'down' ? 'warn' : 'info';
      logger[level]('verdict', verdictLine(change.check.id, change.after, change.vote), {
        check: change.check.id,
        component: change.check.component,
        status: change.after.status,
        since: change.after.since === null ? null : new Date(change.after.since).toISOString(),
        agreeing: change.vote.agreeing.join(','),
        reporting: change.vote.reporting,
        of: change.vote.of,
      });
    }
    if (outbox.length > 0) options.onOutbox?.();
    for (const change of changes) options.onChange?.(change.check, change.after);
  };

  /** A failure to write or read is logged once until writing works again. */
  const report = (message: string) => {
    if (failing !== message) logger.warn('verdicts-failed', message);
    failing = message;
  };

  const evaluate = (): Promise<void> => {
    if (!restored) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  return {
    observe(location, result) {
      if (!restored) {
        early.push({ location, result });
        return;
      }
      // A location's confirmed change is voted on at once; freshness alone waits for the next poll.
      if (take(location, result)) {
        void evaluate();
        const check = checks.get(result.checkId);
        const state = byCheck.get(result.checkId)?.get(location);
        if (check && state) options.onLocationChange?.(check, location, state.confirm.status);
      }
    },
    evaluate,
    async restore(at) {
      if (restored) return;
      const lookback = Math.max(0, ...config.checks.map((check) => lookbackFor(check)));
      try {
        const rows = await store.results({ since: at - lookback, until: at + 1 });
        for (const row of rows) {
          const check = checks.get(row.checkId);
          if (check && row.startedAt >= at - lookbackFor(check)) take(row.location, { ...row, kind: check.kind });
        }
      } catch (error) {
        // A store that is down at start: the locations' states build up from the results that come.
        logger.warn('verdicts-restore-failed', `the locations' recent results could not be read: ${(error as Error).message}; states start from the next results`);
      }
      restored = true;
      for (const { location, result } of early.splice(0)) take(location, result);
    },
    states: confirmStates,
    vote: (checkId) => votes.get(checkId),
  };
}
