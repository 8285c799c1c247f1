// The poller against a real loopback HTTP server, with the clock and timers injected so each delay
// the client asks for is read exactly (no sleeping): 200, 304, 429 and 503 with Retry-After, 500,
// a broken feed, a stall, a reset, a skewed Date.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBannerClient, type BannerClient } from '../../src/client/index.ts';
import type { BannerFeed } from '../../src/client/feed.ts';
import type { BannerState } from '../../src/client/state.ts';

/** Timers under the test's control: `fire()` jumps the clock to the earliest timer and runs it. */
class FakeTime {
  t = Date.now();
  private id = 0;
  timers = new Map<number, { at: number; fn: () => void; ms: number }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    this.timers.set(++this.id, { at: this.t + ms, fn, ms });
    return this.id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);
  /** Runs the earliest timer; returns the delay it was set with. */
  fire(): number {
    const [id, timer] = [...this.timers].sort((a, b) => a[1].at - b[1].at)[0]!;
    this.timers.delete(id);
    this.t = Math.max(this.t, timer.at);
    timer.fn();
    return timer.ms;
  }
  /** The poll timer's delay: the longest-armed timer other than the request timeout. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.t);
  }
}

type Responder = (req: IncomingMessage, res: ServerResponse) => void;

const feedBody = (over: Partial<BannerFeed> = {}): BannerFeed => ({
  $schema: 'http://x/banner.schema.json',
  version: 1,
  generatedAt: new Date().toISOString(),
  pollSeconds: 300,
  hash: 'h1',
  site: { title: 'Chatter status', url: 'http://x/' },
  banners: [
    {
      id: 'patching', kind: 'maintenance', severity: 'warning', title: 'Chat node security patching', short: 'Patching Sat 22:00 UTC', long: '',
      startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 5_400_000).toISOString(),
      components: ['chat-nodes'], signInBlocked: true, updateRequired: null, url: 'http://x/maintenance/patching/',
    },
  ],
  ...over,
});

describe('the banner client against a loopback server', () => {
  let url: string;
  let script: Responder[];
  let seen: IncomingMessage[];
  let close: () => Promise<void>;
  let time: FakeTime;
  let client: BannerClient | undefined;
  let states: BannerState[];
  let errors: string[];

  beforeEach(async () => {
    script = [];
    seen = [];
    states = [];
    errors = [];
    time = new FakeTime();
    const server = createServer((req, res) => {
      seen.push(req);
      const next = script.shift();
      if (next) next(req, res);
      else res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/banner.json`;
    close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  });
  afterEach(async () => {
    client?.stop();
    await close();
  });

  const start = (options: Partial<Parameters<typeof createBannerClient>[0]> = {}) => {
    client = createBannerClient({
      url, clientVersion: '4.1.0', intervalMs: 60_000, random: () => 0.5, onChange: (s) => states.push(s), onError: (e) => errors.push(e.message),
      now: time.now, setTimeout: time.setTimeout, clearTimeout: time.clearTimeout, ...options,
    });
    client.start();
    return client;
  };
  /** Fires the poll timer and waits until the client has handled the answer (a new poll is armed). */
  const pollOnce = async () => {
    const before = client!.stats.requests;
    const delay = time.fire();
    await until(() => client!.stats.requests > before && !inFlight());
    return delay;
  };
  const inFlight = () => {
    const s = client!.stats;
    return s.requests !== s.ok + s.notModified + s.throttled + s.failures;
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(condition()).toBe(true);
  };
  /** The delay of the next poll, as armed now. */
  const nextDelay = () => client!.nextPollAt()! - time.t;

  const ok = (body: BannerFeed, headers: Record<string, string> = {}): Responder => (_req, res) => res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', ...headers }).end(JSON.stringify(body));

  it('spreads the first poll over the interval, then polls no faster than the server asks, conditionally', async () => {
    start();
    expect(nextDelay()).toBe(30_000); // random 0.5 × the interval known so far (the app's 60 s: no feed yet)
    script.push(ok(feedBody(), { 'cache-control': 'public, max-age=600', 'last-modified': 'Sun, 22 Nov 2026 10:00:00 GMT' }));
    await pollOnce();
    expect(client!.feed()?.hash).toBe('h1');
    expect(states.at(-1)!.upcoming.map((b) => b.id)).toEqual(['patching']);
    // The app asked for 60 s, the feed for 300 s, Cache-Control for 600 s: the largest wins.
    expect(nextDelay()).toBe(600_000);
    script.push((_req, res) => res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=60' }).end());
    await pollOnce();
    expect(seen[1]!.headers['if-none-match']).toBe('"v1"');
    expect(seen[1]!.headers['if-modified-since']).toBe('Sun, 22 Nov 2026 10:00:00 GMT');
    expect(client!.stats.notModified).toBe(1);
    expect(client!.feed()?.hash).toBe('h1');
    expect(nextDelay()).toBe(300_000); // max-age 60 s now, but the feed's pollSeconds is 300
    expect(client!.feedAgeMs()).toBe(0);
  });

  it('obeys Retry-After in seconds on 429 and as a date on 503', async () => {
    start({ initialFeed: feedBody() });
    script.push((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    await pollOnce();
    expect(nextDelay()).toBe(120_000);
    const date = new Date(Date.now() + 45_000);
    script.push((_req, res) => res.writeHead(503, { 'retry-after': date.toUTCString() }).end());
    await pollOnce();
    // On the corrected clock (this server's Date is the real time), 45 s ± the Date header's second.
    expect(nextDelay()).toBeGreaterThanOrEqual(43_000);
    expect(nextDelay()).toBeLessThanOrEqual(46_000);
    expect(client!.stats.throttled).toBe(2);
  });

  it('backs off with decorrelated jitter on failures, keeps the last good feed, and returns to the interval', async () => {
    start();
    script.push(ok(feedBody()));
    await pollOnce();
    expect(nextDelay()).toBe(300_000);
    script.push((_req, res) => res.writeHead(500).end());
    await pollOnce();
    expect(nextDelay()).toBe(4_000); // 2 s + 0.5 × (3 × 2 s − 2 s)
    script.push(ok({ ...feedBody(), version: 2 } as unknown as BannerFeed)); // a feed this client cannot read
    await pollOnce();
    expect(nextDelay()).toBe(7_000); // 2 s + 0.5 × (3 × 4 s − 2 s)
    expect(client!.feed()?.hash).toBe('h1'); // the last good feed survives
    expect(errors.at(-1)).toContain('could not be read');
    script.push((req) => req.socket.destroy()); // a reset
    await pollOnce();
    expect(nextDelay()).toBe(11_500);
    script.push(ok(feedBody({ hash: 'h2' })));
    await pollOnce();
    expect(client!.feed()?.hash).toBe('h2');
    expect(nextDelay()).toBe(300_000);
  });

  it('abandons a stalled request at its timeout and backs off', async () => {
    start({ timeoutMs: 10_000 });
    script.push(() => {}); // never answers
    time.fire(); // the poll starts
    await until(() => seen.length === 1);
    expect(time.pending()).toContain(10_000);
    time.fire(); // the timeout
    await until(() => client!.stats.failures === 1);
    expect(nextDelay()).toBe(4_000);
    expect(errors).toHaveLength(1);
  });

  it('corrects its clock from the Date header, so a banner starts on time between polls', async () => {
    const skew = 3_600_000; // the server's clock is an hour ahead of this (fake) machine clock
    let startsAt = 0;
    start();
    script.push((_req, res) => {
      startsAt = time.t + skew + 120_000;
      const banner = { ...feedBody().banners[0]!, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + 600_000).toISOString() };
      res.writeHead(200, { date: new Date(time.t + skew).toUTCString(), etag: '"s"' }).end(JSON.stringify(feedBody({ banners: [banner] })));
    });
    await pollOnce();
    expect(Math.abs(client!.clockOffsetMs() - skew)).toBeLessThan(2_000);
    expect(client!.state().upcoming).toHaveLength(1);
    // The next thing to happen is the clock timer at the banner's start (2 minutes), before the next poll.
    const delay = time.fire();
    expect(delay).toBeGreaterThan(115_000);
    expect(delay).toBeLessThan(125_000);
    expect(states.at(-1)!.active.map((b) => b.id)).toEqual(['patching']);
    expect(states.at(-1)!.signInBlocked).toBe(true);
  });

  it('stops cleanly: no timers left, an in-flight request aborted, and an AbortSignal stops it too', async () => {
    const controller = new AbortController();
    start({ signal: controller.signal });
    script.push(() => {});
    time.fire();
    await until(() => seen.length === 1);
    controller.abort();
    await until(() => time.timers.size === 0 || [...time.timers.values()].every((t) => t.ms === 10_000));
    expect(client!.nextPollAt()).toBeNull();
    expect(client!.stats.failures).toBe(0); // stopping is not a failure
  });
});
