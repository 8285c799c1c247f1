// The shedder books turned-away clients into future seconds with room: returns come at capacity.
import { describe, expect, it } from 'vitest';
import { createShedder } from '../../src/serve/shed.ts';

describe('createShedder', () => {
  it('admits up to the rate each second, and books the excess at 90% of the rate into the seconds after', () => {
    const shedder = createShedder({ maxRate: 1_000, maxConcurrent: 1e9 });
    const t0 = 1_700_000_000_000;
    const waits: number[] = [];
    let admitted = 0;
    for (let i = 0; i < 10_000; i++) {
      const wait = shedder.admit(t0 + i * 0.05, 0); // 10,000 requests within one second
      if (wait === undefined) admitted++;
      else waits.push(wait);
    }
    expect(admitted).toBe(1_000);
    const perSecond = new Map<number, number>();
    for (const w of waits) perSecond.set(w, (perSecond.get(w) ?? 0) + 1);
    expect(Math.min(...waits)).toBe(1);
    expect(Math.max(...perSecond.values())).toBe(900);
    expect(Math.max(...waits)).toBe(10); // 9,000 excess at 900 a second
    // A second later, new requests are booked behind the ones already waiting.
    expect(shedder.admit(t0 + 1_000, 0)).toBeUndefined();
  });

  it('sheds on concurrency too, and caps the wait', () => {
    const shedder = createShedder({ maxRate: 0, maxConcurrent: 2, maxWaitSeconds: 3 });
    expect(shedder.admit(0, 1)).toBeUndefined();
    expect(shedder.admit(0, 2)).toBe(1);
    for (let i = 0; i < 100; i++) shedder.admit(0, 2);
    expect(shedder.admit(0, 2)).toBe(3);
  });
});
