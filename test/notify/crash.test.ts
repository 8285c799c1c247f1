// At-least-once across crashes: the real daemon is SIGKILLed at random moments while it sends (the
// outbox holds a few hundred messages for two slow receivers, and a flapping TCP target adds alerts
// committed with their results). After a last restart every stored alert has reached every target it
// was meant for, none is dead or pending, and the copies a receiver got twice are no more than the
// resends the daemon counted (each a message in flight when it was killed), each with the key of its
// first sending.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/notify/types.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/types.ts';
import { startDaemonProcess, type LogLine } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { close, listen } from '../helpers/tcp-target.ts';
import { tempProject } from '../helpers/temp.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const TRIALS = 50;
const PRELOADED = 150;

/** A receiver that answers after a few milliseconds, so that sending spans the kills. */
async function slowReceiver(): Promise<Receiver> {
  const receiver = await startReceiver();
  receiver.script = () => ({ status: 200, body: 'ok', delayMs: 15 });
  return receiver;
}

describe('SIGKILL while sending', () => {
  it(`${TRIALS} kills at random moments: every alert delivered, none lost, duplicates counted and bounded`, async () => {
    const a = await slowReceiver();
    const b = await slowReceiver();
    const flapPort = await freePort();
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\nstore:\n  engine: sqlite\n  path: data/history.db\n',
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
      'probes/checks/flap.yaml': `checks:\n  - id: flap\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: ${flapPort}\n    schedule: 1s\n    timeout: 300ms\n    confirm:\n      down: 1\n      up: 1\n`,
      'probes/notify.yaml': `targets:\n  a:\n    kind: webhook\n    url: \${A_URL}\n  b:\n    kind: webhook\n    url: \${B_URL}\nroutes:\n  - targets: [a, b]\n    events: [component, check]\ngroupWait: 0s\n`,
    });
    // A backlog: one message per event and target (distinct times, no grouping).
    const path = join(root, 'data/history.db');
    const seed = await openSqliteStore({ path });
    await seed.migrate();
    const t0 = Date.now();
    const entries: OutboxEntry[] = Array.from({ length: PRELOADED }, (_, i) => ({
      event: { key: `preloaded:${i}`, kind: 'check', audience: 'operators', severity: 'warning', at: t0 + i, createdAt: t0 + i, title: `event ${i}`, text: `event ${i}`, components: [] },
      targets: [{ name: 'a' }, { name: 'b' }],
    }));
    await seed.enqueue(entries);
    await seed.close();

    let flap = await listen(flapPort);
    const flapping = setInterval(() => {
      if (flap) {
        const closing = flap;
        flap = undefined as unknown as typeof flap;
        void close(closing);
      } else void listen(flapPort).then((server) => (flap = server));
    }, 1_300);

    const logs: LogLine[] = [];
    const started = Date.now();
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const daemon = startDaemonProcess(root, ['--flush-interval', '50'], { A_URL: a.url, B_URL: b.url });
        await daemon.waitFor((line) => line.event === 'started');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
        daemon.child.kill('SIGKILL');
        expect((await daemon.exited).signal).toBe('SIGKILL');
        logs.push(...daemon.lines);
      }
    } finally {
      clearInterval(flapping);
    }
    const killedFor = Date.now() - started;

    // The last run: to the end of the backlog, then a graceful stop.
    const last = startDaemonProcess(root, ['--flush-interval', '50'], { A_URL: a.url, B_URL: b.url });
    await last.waitFor((line) => line.event === 'started');
    let store: Store | undefined;
    try {
      store = await openSqliteStore({ path });
      let counts = await store.outboxCounts();
      const deadline = Date.now() + 120_000;
      while (counts.pending > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        counts = await store.outboxCounts();
      }
      expect(counts.pending).toBe(0);
      expect(counts.dead).toBe(0);
      last.child.kill('SIGTERM');
      expect((await last.exited).code).toBe(0);
      logs.push(...last.lines);

      const stored = await store.events({ since: 0, audience: 'operators' });
      expect(stored.length).toBeGreaterThanOrEqual(PRELOADED);
      const got = (receiver: Receiver) => {
        const count = new Map<string, number>();
        for (const request of receiver.accepted()) for (const event of request.body.events) count.set(event.key, (count.get(event.key) ?? 0) + 1);
        return count;
      };
      let duplicates = 0;
      for (const receiver of [a, b]) {
        const count = got(receiver);
        // None lost: every stored alert reached this target.
        const missing = stored.filter((event) => !count.has(event.key)).map((event) => event.key);
        expect(missing).toEqual([]);
        for (const n of count.values()) duplicates += n - 1;
        // An interrupted message goes again as the same message: a receiver that drops a repeated
        // Idempotency-Key has each event once.
        const kept = new Set(receiver.accepted().flatMap((request) => request.body.events.map((event) => `${String(request.headers['idempotency-key'])}\n${event.key}`)));
        expect(kept.size).toBe(count.size);
      }
      const counted = logs.filter((line) => line.event === 'notify-resend').reduce((sum, line) => sum + Number(line.events), 0);
      const deliveries = stored.length * 2;
      console.log(`crash test: ${TRIALS} kills in ${Math.round(killedFor / 1000)} s; ${stored.length} alerts, ${deliveries} deliveries; ${duplicates} received twice, ${counted} resends counted`);
      // Each copy received twice was in flight when a daemon was killed, and its resend was counted.
      expect(duplicates).toBeLessThanOrEqual(counted);
      // At most one message per target in flight at a kill: the backlog's hold one event, a flap's a
      // component and a check event written together; two targets.
      expect(counted).toBeLessThanOrEqual(TRIALS * 2 * 2);
    } finally {
      await store?.close();
    }
  }, 300_000);
});
