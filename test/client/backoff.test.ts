import { describe, expect, it } from 'vitest';
import { nextDelay } from '../../src/client/backoff.ts';

const limits = { minMs: 2_000, maxMs: 120_000, rate: 3 };

describe('nextDelay', () => {
  it.each([
    { previous: 2_000, random: 0, expected: 2_000 }, // never below the floor
    { previous: 2_000, random: 1, expected: 6_000 }, // at most previous × rate
    { previous: 2_000, random: 0.5, expected: 4_000 },
    { previous: 90_000, random: 1, expected: 120_000 }, // capped
    { previous: 0, random: 1, expected: 2_000 }, // a first failure waits the floor
  ])('after $previous ms with random=$random waits $expected ms', ({ previous, random, expected }) => {
    expect(nextDelay(previous, limits, () => random)).toBe(expected);
  });

  it('spreads a fleet of clients instead of moving them in step', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 1_000 }, () => nextDelay(8_000, limits, random));
    const seconds = new Set(delays.map((d) => Math.floor(d / 1_000)));
    expect(seconds.size).toBeGreaterThanOrEqual(20); // 2 s to 24 s, spread over at least 20 distinct seconds
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(24_000);
  });
});
