// The outbox remembers which feed items it turned into notifications; pruned too early, an item still
// inside the horizon would become an event again and reach every subscriber twice.
import { describe, expect, it } from 'vitest';
import { outboxKeepMs } from '../../src/daemon/daemon.ts';
import { DURATION_LIMITS } from '../../src/config/limits.ts';
import { FEED_EVENT_HORIZON_MS } from '../../src/notify/subscribers/feed-events.ts';
import { DAY_MS } from '../../src/store/types.ts';

describe('how long the outbox keeps what it sent', () => {
  it('keeps events past the feed horizon even at the shortest retention the config accepts', () => {
    const shortest = DURATION_LIMITS.retention.minMs;
    expect(shortest).toBeLessThan(FEED_EVENT_HORIZON_MS); // the case that matters is reachable
    expect(outboxKeepMs(shortest)).toBeGreaterThanOrEqual(FEED_EVENT_HORIZON_MS + DAY_MS);
  });
  it('keeps them as long as raw results when the retention is longer', () => {
    expect(outboxKeepMs(90 * DAY_MS)).toBe(90 * DAY_MS);
  });
});
