// The states the clock gives a post, pure functions of the post and the time.
import { describe, expect, it } from 'vitest';
import { incidentBlocksSignIn } from '../../src/posts/state.ts';
import type { IncidentUpdate } from '../../src/posts/types.ts';

const H = 3_600_000;
const T0 = Date.UTC(2015, 8, 9, 17, 5);
const update = (at: number, status: IncidentUpdate['status'], signInBlocked: boolean | null): IncidentUpdate => ({ at, status, body: 'x', components: {}, signInBlocked });

describe('incidentBlocksSignIn', () => {
  // As the 2015-09-09 Redis incident is written: blocked from the start, working again at monitoring.
  const incident = {
    signInBlocked: true,
    updates: [update(T0 + 0.1 * H, 'investigating', null), update(T0 + 0.5 * H, 'monitoring', false), update(T0 + 0.8 * H, 'resolved', null)],
    resolvedAt: T0 + 0.8 * H,
  };

  it('follows the post: as it started until an update says otherwise, and never once resolved', () => {
    expect(incidentBlocksSignIn(incident, T0)).toBe(true);
    expect(incidentBlocksSignIn(incident, T0 + 0.2 * H)).toBe(true); // an update that says nothing keeps it
    expect(incidentBlocksSignIn(incident, T0 + 0.5 * H)).toBe(false);
    expect(incidentBlocksSignIn(incident, T0 + 0.9 * H)).toBe(false);
  });

  it('lets an update block sign-in later, and a resolution end it even if no update unblocked it', () => {
    const later = { signInBlocked: false, updates: [update(T0 + H, 'identified', true)], resolvedAt: null };
    expect(incidentBlocksSignIn(later, T0 + 0.5 * H)).toBe(false);
    expect(incidentBlocksSignIn(later, T0 + H)).toBe(true);
    expect(incidentBlocksSignIn({ ...later, resolvedAt: T0 + 2 * H }, T0 + 2 * H)).toBe(false);
    // An update written ahead of time does not count before its time.
    expect(incidentBlocksSignIn(later, T0 + H - 1)).toBe(false);
  });
});
