import { describe, expect, it } from 'vitest';
import { confirmNext, initialConfirmState, type ConfirmState } from '../../src/runner/confirm.ts';
import type { ProbeStatus } from '../../src/probes/types.ts';

const run = (statuses: ProbeStatus[], thresholds = { down: 2, up: 1 }, start: ConfirmState = initialConfirmState) =>
  statuses.reduce((state, status, i) => confirmNext(state, { status, startedAt: 1_000 * (i + 1) }, thresholds), start);

describe('confirmNext', () => {
  it.each([
    { seen: ['up'], down: 2, up: 1, status: 'up', since: 1_000 },
    { seen: ['down'], down: 2, up: 1, status: 'unknown', since: null },
    { seen: ['down', 'down'], down: 2, up: 1, status: 'down', since: 1_000 },
    { seen: ['up', 'down'], down: 2, up: 1, status: 'up', since: 1_000 },
    { seen: ['up', 'down', 'down'], down: 2, up: 1, status: 'down', since: 2_000 },
    { seen: ['up', 'down', 'up', 'down'], down: 2, up: 1, status: 'up', since: 1_000 },
    { seen: ['up', 'down', 'down', 'down', 'up'], down: 2, up: 1, status: 'up', since: 5_000 },
    { seen: ['up', 'down', 'down', 'up'], down: 2, up: 2, status: 'down', since: 2_000 },
    { seen: ['up', 'down', 'down', 'up', 'up'], down: 2, up: 2, status: 'up', since: 4_000 },
    { seen: ['up', 'degraded', 'degraded', 'degraded'], down: 3, up: 1, status: 'degraded', since: 2_000 },
    { seen: ['up', 'down', 'down', 'down'], down: 1, up: 1, status: 'down', since: 2_000 },
  ] as const)('after $seen with down=$down up=$up the status is $status since $since', ({ seen, down, up, status, since }) => {
    const state = run([...seen], { down, up });
    expect(state.status).toBe(status);
    expect(state.since).toBe(since);
  });

  it('dates a confirmed outage from its first failing result, not the confirming one', () => {
    const state = run(['up', 'up', 'down', 'down', 'down'], { down: 3, up: 1 });
    expect(state).toEqual({ status: 'down', since: 3_000, pending: null });
  });

  it('forgets a pending change when the confirmed status comes back', () => {
    const state = run(['up', 'down'], { down: 3, up: 1 });
    expect(state.pending).toEqual({ status: 'down', count: 1, since: 2_000 });
    expect(confirmNext(state, { status: 'up', startedAt: 3_000 }, { down: 3, up: 1 }).pending).toBeNull();
  });
});
