// storm: 100,000 real SDK clients in virtual time (injected clock, timers, random and fetch; no
// sockets) against a model of the origin that admits C requests per second (2,000 by default).
// Every client polls banner.json every 60 s (the steady load, N ÷ 60 s, is below C). At t = -60 s
// the origin goes down: it answers every request with 503 (its front is up, the application is not);
// at t = 0 it is back with a new feed, and past C requests in a second it answers 503 again. With
// hints, each 503 carries a Retry-After from statuspost's own shedder (src/serve/shed.ts), which
// books the client into a future second with room; without hints, it carries none.
// The same harness runs naive strategies beside the SDK: a fixed 2-second retry, and plain
// exponential backoff without jitter (2 s doubling, capped at 64 s). For each: peak requests and
// retries per second, total requests from t = 0, and when 99% and 100% of clients hold the new feed.
// The ideal is N ÷ C seconds. Usage: npm run bench:storm [-- --clients 100000 --capacity 2000]
import { parseArgs } from 'node:util';
import { createBannerClient } from '../src/client/index.ts';
import { seededRandom } from '../src/demo/simulate.ts';
import { createShedder } from '../src/serve/shed.ts';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '100000' }, capacity: { type: 'string', default: '2000' } } });
const N = Number(values.clients);
const C = Number(values.capacity);
const INTERVAL_MS = 60_000;
const OUTAGE_MS = 60_000;
const LATENCY_MS = 20;
const END_MS = 600_000; // stop ten minutes after the origin returns

/** A binary heap of timers in virtual time; cancelled ones are skipped when they surface. */
class VirtualTime {
  t = -OUTAGE_MS - INTERVAL_MS;
  private heap: Array<{ at: number; seq: number; fn: () => void; dead: boolean }> = [];
  private seq = 0;
  setTimeout = (fn: () => void, ms: number) => {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, dead: false };
    this.push(timer);
    return timer;
  };
  clearTimeout = (timer: unknown) => {
    if (timer) (timer as { dead: boolean }).dead = true;
  };
  now = () => this.t;
  /** Runs every timer due at the earliest time, then lets promise chains settle. */
  async step(): Promise<boolean> {
    const first = this.peek();
    if (!first || first.at > END_MS) return false;
    this.t = first.at;
    while (this.peek() && this.peek()!.at === this.t) {
      const timer = this.pop()!;
      if (!timer.dead) timer.fn();
    }
    await new Promise((resolve) => setImmediate(resolve)); // microtasks (fetch → text → schedule) run first
    return true;
  }
  private peek() {
    while (this.heap.length > 0 && this.heap[0]!.dead) this.pop();
    return this.heap[0];
  }
  private less = (a: { at: number; seq: number }, b: { at: number; seq: number }) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  private push(item: (typeof this.heap)[number]) {
    const h = this.heap;
    h.push(item);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  private pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

const feed = (hash: string) =>
  JSON.stringify({ $schema: 'x', version: 1, generatedAt: new Date(0).toISOString(), pollSeconds: 60, hash, site: { title: 'S', url: 'https://status.example.org/' }, banners: [] });
const OLD = feed('old');
const NEW = feed('new');

interface Run {
  perSecond: Map<number, { requests: number; retries: number }>;
  total: number;
  t99: number | null;
  t100: number | null;
}

/** The origin: down before t = 0, then C requests a second, 503 past that (with or without Retry-After). */
function origin(time: VirtualTime, hints: boolean, run: Run) {
  const shedder = createShedder({ maxRate: C, maxConcurrent: Number.MAX_SAFE_INTEGER });
  return (client: { failedLast: boolean }, etag: string | undefined): Promise<{ status: number; headers: Map<string, string>; body: string }> => {
    const second = Math.floor(time.t / 1000);
    if (time.t >= 0 && time.t < END_MS) {
      const bucket = run.perSecond.get(second) ?? { requests: 0, retries: 0 };
      bucket.requests++;
      if (client.failedLast) bucket.retries++;
      run.perSecond.set(second, bucket);
      run.total++;
    }
    return new Promise((resolve) => {
      // Down, the origin still answers, 503 (its application is gone, its front is not); up, it takes
      // C a second. Past what it can take, the same shedder `statuspost serve` runs books each client
      // into a future second with room.
      const down = time.t >= -OUTAGE_MS && time.t < 0;
      const wait = shedder.admit(time.t, down ? Number.MAX_SAFE_INTEGER : 0);
      const headers = new Map<string, string>([['date', new Date(time.t + 1_800_000_000_000).toUTCString()]]);
      const current = time.t >= 0 ? 'new' : 'old';
      if (wait !== undefined) {
        if (hints) headers.set('retry-after', String(wait));
        time.setTimeout(() => resolve({ status: 503, headers, body: '' }), LATENCY_MS);
        return;
      }
      headers.set('etag', `"${current}"`);
      headers.set('cache-control', 'public, max-age=60');
      const notModified = etag === `"${current}"`;
      time.setTimeout(() => resolve({ status: notModified ? 304 : 200, headers, body: notModified ? '' : current === 'new' ? NEW : OLD }), LATENCY_MS);
    });
  };
}

async function simulate(strategy: 'sdk-hints' | 'sdk' | 'fixed-2s' | 'exponential'): Promise<Run> {
  const time = new VirtualTime();
  const run: Run = { perSecond: new Map(), total: 0, t99: null, t100: null };
  const serve = origin(time, strategy === 'sdk-hints', run);
  const random = seededRandom(42);
  const sample: Array<{ client: ReturnType<typeof createBannerClient>; me: { hasNew: boolean } }> = [];
  let holdingNew = 0;
  const got = () => {
    holdingNew++;
    if (run.t99 === null && holdingNew >= Math.ceil(N * 0.99)) run.t99 = time.t;
    if (holdingNew === N) run.t100 = time.t;
  };

  for (let i = 0; i < N; i++) {
    const me = { failedLast: false, hasNew: false };
    if (strategy === 'sdk' || strategy === 'sdk-hints') {
      let etag: string | undefined;
      const client = createBannerClient({
        url: 'https://status.example.org/banner.json',
        intervalMs: INTERVAL_MS,
        now: time.now,
        setTimeout: time.setTimeout,
        clearTimeout: time.clearTimeout,
        random,
        fetch: (async () => {
          const answer = await serve(me, etag);
          me.failedLast = answer.status >= 500;
          if (answer.status === 200) etag = answer.headers.get('etag');
          if (answer.body === NEW && !me.hasNew) {
            me.hasNew = true; // the SDK reads it on this response (checked below on a sample)
            got();
          }
          return { status: answer.status, ok: answer.status === 200, headers: { get: (name: string) => answer.headers.get(name) ?? null }, text: async () => answer.body, body: null };
        }) as unknown as typeof fetch,
        onChange: () => {},
      });
      client.start();
      if (i < 100) sample.push({ client, me });
    } else {
      // The naive clients: poll every 60 s; on failure retry after 2 s, or after 2, 4, 8 … 64 s.
      let attempt = 0;
      let etag: string | undefined;
      const tick = async () => {
        let failed = false;
        try {
          const answer = await serve(me, etag);
          failed = answer.status >= 500;
          if (answer.status === 200) {
            etag = answer.headers.get('etag');
            if (answer.body === NEW && !me.hasNew) {
              me.hasNew = true;
              got();
            }
          }
        } catch {
          failed = true;
        }
        me.failedLast = failed;
        if (failed) {
          attempt++;
          time.setTimeout(tick, strategy === 'fixed-2s' ? 2_000 : Math.min(64_000, 2_000 * 2 ** (attempt - 1)));
        } else {
          attempt = 0;
          time.setTimeout(tick, INTERVAL_MS);
        }
      };
      time.setTimeout(tick, random() * INTERVAL_MS);
    }
  }
  while (await time.step()) if (run.t100 !== null) break;
  await new Promise((resolve) => setImmediate(resolve));
  // The harness counted a client as holding the new feed when the response reached it: a sample of
  // the real SDK clients confirms they did read and keep it.
  for (const { client, me } of sample) if (me.hasNew && client.feed()?.hash !== 'new') throw new Error('an SDK client was counted but does not hold the new feed');
  for (const { client } of sample) client.stop();
  return run;
}

const ideal = N / C;
console.log(`storm: ${N.toLocaleString('en-US')} clients polling every 60 s, origin down 60 s then admitting ${C.toLocaleString('en-US')} requests/s; ideal recovery ${ideal.toFixed(0)} s (N ÷ C)`);
const results = new Map<string, Run>();
for (const strategy of ['fixed-2s', 'exponential', 'sdk', 'sdk-hints'] as const) {
  const started = performance.now();
  const run = await simulate(strategy);
  results.set(strategy, run);
  const peak = Math.max(...[...run.perSecond.values()].map((b) => b.requests));
  const peakRetries = Math.max(...[...run.perSecond.values()].map((b) => b.retries));
  const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
  console.log(
    `  ${strategy.padEnd(12)} peak ${peak.toLocaleString('en-US').padStart(7)} req/s (${(peak / C).toFixed(2)} × C), peak retries ${peakRetries.toLocaleString('en-US').padStart(7)}/s, ` +
      `${run.total.toLocaleString('en-US').padStart(9)} requests, 99% by ${s(run.t99)}, 100% by ${s(run.t100)}  (${((performance.now() - started) / 1000).toFixed(1)} s to simulate)`,
  );
}
const peakRetries = (name: string) => Math.max(...[...results.get(name)!.perSecond.values()].map((b) => b.retries));
const withHints = results.get('sdk-hints')!;
console.log(`  without hints, the SDK's retry peak is ${(peakRetries('sdk') / peakRetries('fixed-2s')).toFixed(2)} of the fixed 2-second retry's (goal ≤ 0.6)`);
console.log(
  `storm: retry_peak_over_capacity=${(peakRetries('sdk-hints') / C).toFixed(2)} t100_over_ideal=${withHints.t100 === null ? 'never' : (withHints.t100 / 1000 / ideal).toFixed(2)}`,
);
