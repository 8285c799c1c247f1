import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/daemon/log.ts';
import { startScheduler } from '../../src/daemon/scheduler.ts';
import { httpProbe } from '../../src/probes/http.ts';
import type { Check } from '../../src/probes/registry.ts';
import type { CheckResult } from '../../src/probes/types.ts';
import { serve } from '../helpers/net.ts';
import { until } from '../helpers/until.ts';

const quiet = createLogger({ format: 'text', write: () => undefined });
const httpCheck = (id: string, url: string, schedule: string, timeout = '5s') =>
  httpProbe.schema.parse({ id, component: 'chat', kind: 'http', url, schedule, timeout }) as Check;

describe('startScheduler', () => {
  it('never runs a check while its previous run is still going', async () => {
    let concurrent = 0;
    let peak = 0;
    let requests = 0;
    const { url } = await serve((_req, res) => {
      requests++;
      concurrent++;
      peak = Math.max(peak, concurrent);
      setTimeout(() => {
        concurrent--;
        res.end('ok');
      }, 2_500); // slower than the 1 s schedule
    });
    const results: CheckResult[] = [];
    const scheduler = startScheduler({ checks: [httpCheck('slow', url, '1s')], concurrency: 4, logger: quiet, onResult: (_c, r) => results.push(r) });
    // Three requests take at least 5 s of 1 s ticks: each tick during a run had its chance to overlap.
    await until(() => requests >= 3, 60_000, 'three requests');
    await scheduler.stop(5_000);
    expect(peak).toBe(1);
    expect(results.every((r) => r.status === 'up')).toBe(true);
  });

  it('runs every check on a shared schedule at each tick, a slow one holding back only itself', async () => {
    const { url: fast } = await serve((_req, res) => res.end('ok'));
    const { url: slow } = await serve((_req, res) => setTimeout(() => res.end('ok'), 2_500));
    const runs = new Map<string, number>();
    // The same interval, so the same cron expression unless staggered apart: ids chosen to share one.
    const checks = ['a', 'b', 'c'].map((id) => httpCheck(id, fast, '1s')).concat(httpCheck('slow', slow, '1s'));
    expect(new Set(checks.map((c) => c.schedule.cron)).size).toBe(1);
    const scheduler = startScheduler({ checks, concurrency: 8, logger: quiet, onResult: (c) => runs.set(c.id, (runs.get(c.id) ?? 0) + 1) });
    // The start-up run plus one a second: waited for, however late a busy machine runs the ticks.
    await until(() => ['a', 'b', 'c'].every((id) => (runs.get(id) ?? 0) >= 3), 60_000, 'three runs of each fast check');
    await scheduler.stop(5_000);
    // Meanwhile the slow one (2.5 s a run, never overlapping itself) fell behind, and only itself.
    const fastest = Math.min(...['a', 'b', 'c'].map((id) => runs.get(id)!));
    expect(runs.get('slow') ?? 0).toBeLessThan(fastest);
  });

  it('runs every check once at start, before its first scheduled instant', async () => {
    const { url } = await serve((_req, res) => res.end('ok'));
    const results: CheckResult[] = [];
    const scheduler = startScheduler({
      checks: [httpCheck('hourly-a', url, '1h'), httpCheck('hourly-b', url, '1h')],
      concurrency: 4,
      logger: quiet,
      onResult: (_c, r) => results.push(r),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await scheduler.stop(1_000);
    expect(results.map((r) => r.checkId).sort()).toEqual(['hourly-a', 'hourly-b']);
  });

  it('stops within the grace period, ending runs that would outlast it', async () => {
    const { url } = await serve(() => undefined); // never answers
    const results: CheckResult[] = [];
    const scheduler = startScheduler({ checks: [httpCheck('hang', url, '1h', '30s')], concurrency: 1, logger: quiet, onResult: (_c, r) => results.push(r) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await scheduler.stop(300);
    // The timeout is 30 s: only the stop can have ended this run.
    expect(results).toMatchObject([{ checkId: 'hang', status: 'down', message: 'stopped before an answer' }]);
  });
});
