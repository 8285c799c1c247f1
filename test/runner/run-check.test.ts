import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { createLimiter } from '../../src/runner/limiter.ts';
import { runCheck } from '../../src/runner/run-check.ts';
import { tcpProbe } from '../../src/probes/tcp.ts';
import { down, up, type CheckResult, type Probe } from '../../src/probes/types.ts';
import type { Check } from '../../src/probes/registry.ts';
import { freePort, neverAborted, serveTcp } from '../helpers/net.ts';

const tcpCheck = (port: number, extra: Record<string, unknown> = {}) =>
  tcpProbe.schema.parse({ id: 'c', component: 'x', kind: 'tcp', host: '127.0.0.1', port, ...extra }) as Check;

/** A probe of our own making, to exercise the runner's side of the contract (throws, hangs). */
function scriptedProbe(behaviour: (attempt: number, signal: AbortSignal) => Promise<CheckResult>): Probe & { attempts: number } {
  const probe = {
    kind: 'tcp',
    schema: z.any(),
    attempts: 0,
    targets: () => [],
    run: (_check: Check, signal: AbortSignal) => behaviour(++probe.attempts, signal),
  };
  return probe as unknown as Probe & { attempts: number };
}

describe('runCheck', () => {
  it('turns a probe that throws into a down result and reports the throw', async () => {
    const errors: unknown[] = [];
    const probe = scriptedProbe(async () => {
      throw new TypeError('bug in a probe');
    });
    const result = await runCheck(tcpCheck(1), probe, { stop: neverAborted(), onInternalError: (_c, e) => errors.push(e) });
    expect(result).toMatchObject({ status: 'down', message: 'probe failed internally', details: { internal: true } });
    expect(errors).toHaveLength(1);
  });

  it('abandons a probe that ignores its own deadline', async () => {
    const probe = scriptedProbe(() => new Promise(() => undefined));
    const result = await runCheck(tcpCheck(1, { timeout: '100ms' }), probe, { stop: neverAborted() });
    expect(result).toMatchObject({ status: 'down', message: 'no answer within 100 ms', details: { abandoned: true } });
  });

  it('retries a down result with jitter and reports the attempts', async () => {
    const check = tcpCheck(1, { retries: 2, retryDelay: '10ms' });
    const probe = scriptedProbe(async (n) =>
      n < 3 ? down(check, { startedAt: Date.now(), message: 'connection refused' }) : up(check, { startedAt: Date.now(), message: 'port open' }),
    );
    const result = await runCheck(check, probe, { stop: neverAborted(), random: () => 0.5 });
    expect(probe.attempts).toBe(3);
    expect(result).toMatchObject({ status: 'up', details: { attempts: 3 } });
  });

  it('does not retry an up or degraded result', async () => {
    const { port } = await serveTcp(() => undefined);
    const check = tcpCheck(port, { retries: 3 });
    const probe = scriptedProbe((_, signal) => tcpProbe.run(check as never, signal));
    expect(await runCheck(check, probe, { stop: neverAborted() })).toMatchObject({ status: 'up' });
    expect(probe.attempts).toBe(1);
  });

  it('stops retrying when stopped', async () => {
    const port = await freePort();
    const check = tcpCheck(port, { retries: 5, retryDelay: '10s' });
    const stop = new AbortController();
    const probe = scriptedProbe((_, signal) => tcpProbe.run(check as never, signal));
    const pending = runCheck(check, probe, { stop: stop.signal });
    setTimeout(() => stop.abort(), 50);
    expect(await pending).toMatchObject({ status: 'down', message: 'connection refused' });
    expect(probe.attempts).toBe(1);
  });
});

describe('createLimiter', () => {
  it('never runs more tasks at once than its limit and runs them all', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.active).toBe(0);
  });

  it('releases its slot when a task fails', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});
