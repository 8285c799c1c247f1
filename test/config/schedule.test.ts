import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { staggerSchedule, toSchedule, type Schedule } from '../../src/config/schedule.ts';

const schedule = (text: string) => toSchedule(text) as Schedule;

describe('toSchedule', () => {
  it.each([
    { text: '30s', cron: '*/30 * * * * *', intervalMs: 30_000 },
    { text: '1s', cron: '* * * * * *', intervalMs: 1_000 },
    { text: '5m', cron: '0 */5 * * * *', intervalMs: 300_000 },
    { text: '1h', cron: '0 0 * * * *', intervalMs: 3_600_000 },
    { text: '6h', cron: '0 0 */6 * * *', intervalMs: 21_600_000 },
    { text: '1d', cron: '0 0 0 * * *', intervalMs: 86_400_000 },
  ])('turns the interval $text into $cron', ({ text, cron: expected, intervalMs }) => {
    expect(toSchedule(text)).toEqual({ cron: expected, intervalMs, interval: true });
  });

  it('keeps a five-field cron expression, adds the seconds field and estimates its interval', () => {
    expect(toSchedule('*/15 * * * *')).toEqual({ cron: '0 */15 * * * *', intervalMs: 900_000, interval: false });
  });

  it.each([
    { text: '7s', problem: /cannot run at even clock instants/ },
    { text: '45m', problem: /cannot run at even clock instants/ },
    { text: '500ms', problem: /shorter than a second/ },
    { text: '30', problem: /"30" is not a duration/ },
    { text: 'every minute', problem: /neither an interval/ },
  ])('refuses $text', ({ text, problem }) => {
    expect((toSchedule(text) as { problem: string }).problem).toMatch(problem);
  });
});

describe('staggerSchedule', () => {
  const nextRuns = (expression: string) => {
    const task = cron.createTask(expression, () => undefined);
    const runs = task.getNextRuns(4).map((date) => date.getTime());
    void task.destroy();
    return runs;
  };

  it.each(['10s', '30s', '5m', '2h', '1d'])('keeps the interval of %s while moving its runs', (text) => {
    const original = schedule(text);
    const staggered = staggerSchedule(original, 'chat-node-1');
    expect(cron.validate(staggered.cron)).toBe(true);
    const runs = nextRuns(staggered.cron);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBe(original.intervalMs);
  });

  it('spreads many checks over the seconds of their interval, the same way on every machine', () => {
    const offsets = Array.from({ length: 300 }, (_, i) => staggerSchedule(schedule('10s'), `check-${i}`).cron.split('-')[0]);
    const perSecond = new Map<string, number>();
    for (const offset of offsets) perSecond.set(offset!, (perSecond.get(offset!) ?? 0) + 1);
    expect(perSecond.size).toBe(10);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(45); // about 30 each, never all 300 at once
    expect(staggerSchedule(schedule('10s'), 'check-7')).toEqual(staggerSchedule(schedule('10s'), 'check-7'));
  });

  it('leaves a cron expression exactly as written', () => {
    const written = schedule('*/15 * * * *');
    expect(staggerSchedule(written, 'anything')).toBe(written);
  });
});
