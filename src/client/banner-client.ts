// The banner feed client: polls banner.json and tells the app what to show now, without ever being
// the cause of the next reconnect storm (the seeds' lesson, three times over):
// - conditional requests (ETag, Last-Modified); a 304 costs the server almost nothing
// - never faster than the server asks: the feed's pollSeconds and Cache-Control max-age are floors
//   under whatever interval the app configured
// - Retry-After (seconds or a date) on 429 and 503 is obeyed
// - other failures back off with decorrelated jitter, floor and cap; a success restores the interval
// - the first poll of each client is spread over the interval, so a fleet started together does not
//   poll together
// - the clock is corrected from the Date header, so banners start and end on time between polls
// - the last good feed survives any failure, and its age is exposed
// Runs in browsers and Node alike: no `node:` imports; fetch, timers, clock and random are injectable.
import { nextDelay } from './backoff.ts';
import { parseFeed, type BannerFeed } from './feed.ts';
import { parseMaxAge, parseRetryAfter } from './hints.ts';
import { bannerStateAt, type BannerState } from './state.ts';

type TimerId = unknown;

export interface BannerClientOptions {
  /** The published banner.json. */
  url: string;
  /** This app's version, to tell whether an `updateRequired` applies to it. */
  clientVersion?: string;
  /** Called with the new state whenever what to show changes (by a new feed or by the clock). */
  onChange?: (state: BannerState) => void;
  /** Called on each failed poll; the client carries on by itself. */
  onError?: (error: Error) => void;
  /** How often the app would like to poll. The server's hints are floors under it. Default 5 minutes. */
  intervalMs?: number;
  /** Backoff after failures: floor, cap and growth rate. Defaults 2 s, 10 min, 3. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  backoffRate?: number;
  /** A request taking longer than this is abandoned and counts as a failure. Default 10 s. */
  timeoutMs?: number;
  /** Over how long the first poll is spread. Default: the interval. */
  firstPollSpreadMs?: number;
  /** A feed kept from an earlier run (app storage), shown until the first poll. */
  initialFeed?: BannerFeed;
  /** Aborting it stops the client. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => number;
  setTimeout?: (callback: () => void, ms: number) => TimerId;
  clearTimeout?: (id: TimerId) => void;
  random?: () => number;
}

export interface BannerClientStats {
  requests: number;
  ok: number;
  notModified: number;
  throttled: number;
  failures: number;
}

export interface BannerClient {
  /** Starts polling (the first poll is spread over the interval). Idempotent. */
  start(): void;
  /** Stops polling and aborts a request in flight. Idempotent. */
  stop(): void;
  /** What to show now, on the corrected clock. */
  state(): BannerState;
  /** The last good feed, if any. */
  feed(): BannerFeed | undefined;
  /** Milliseconds since the feed was last confirmed by the server (a 200 or a 304), or null. */
  feedAgeMs(): number | null;
  /** Server time minus local time, as the Date header showed it. */
  clockOffsetMs(): number;
  /** When the next poll is due (local clock), or null when stopped. */
  nextPollAt(): number | null;
  readonly stats: BannerClientStats;
}

const MAX_TIMER_MS = 2_147_483_647;
const inBrowser = 'document' in globalThis;

export function createBannerClient(options: BannerClientOptions): BannerClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimeout ?? ((callback: () => void, ms: number) => globalThis.setTimeout(callback, ms));
  const clearTimer = options.clearTimeout ?? ((id: TimerId) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>));
  const random = options.random ?? Math.random;
  const intervalMs = options.intervalMs ?? 300_000;
  const limits = { minMs: options.minBackoffMs ?? 2_000, maxMs: options.maxBackoffMs ?? 600_000, rate: options.backoffRate ?? 3 };
  const timeoutMs = options.timeoutMs ?? 10_000;

  let feed = options.initialFeed;
  let etag: string | undefined;
  let lastModified: string | undefined;
  let maxAgeMs = 0;
  let confirmedAt: number | null = null;
  let offsetMs = 0;
  let backoffMs = 0;
  let running = false;
  let pollTimer: TimerId | undefined;
  let clockTimer: TimerId | undefined;
  let dueAt: number | null = null;
  let inFlight: AbortController | undefined;
  let lastKey = '';
  const stats: BannerClientStats = { requests: 0, ok: 0, notModified: 0, throttled: 0, failures: 0 };

  const correctedNow = () => now() + offsetMs;
  const normalInterval = () => Math.max(intervalMs, (feed?.pollSeconds ?? 0) * 1000, maxAgeMs);
  const state = () => bannerStateAt(feed, correctedNow(), options.clientVersion);

  function schedule(delayMs: number): void {
    if (!running) return;
    if (pollTimer !== undefined) clearTimer(pollTimer);
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    dueAt = now() + delay;
    pollTimer = setTimer(() => {
      pollTimer = undefined;
      void poll();
    }, delay);
  }

  /** Tells the app when what to show has changed, and wakes up when the clock will change it next. */
  function publish(): void {
    const current = state();
    const key = JSON.stringify([current.active.map((b) => [b.id, b.title, b.short, b.long, b.endsAt]), current.upcoming.map((b) => [b.id, b.title, b.startsAt]), current.signInBlocked, current.updateRequired]);
    if (key !== lastKey) {
      lastKey = key;
      options.onChange?.(current);
    }
    if (clockTimer !== undefined) clearTimer(clockTimer);
    clockTimer = undefined;
    if (running && current.nextChangeAt !== null) {
      clockTimer = setTimer(() => {
        clockTimer = undefined;
        publish();
      }, Math.min(MAX_TIMER_MS, current.nextChangeAt - correctedNow() + 1));
    }
  }

  function fail(error: Error, retryAfterMs?: number): void {
    options.onError?.(error);
    if (retryAfterMs !== undefined) {
      // The server said when: obey it (never sooner than the backoff floor), and carry on backing off from there.
      backoffMs = Math.max(retryAfterMs, limits.minMs);
      schedule(backoffMs);
      return;
    }
    backoffMs = nextDelay(backoffMs || limits.minMs, limits, random);
    schedule(backoffMs);
  }

  async function poll(): Promise<void> {
    if (!running) return;
    const controller = new AbortController();
    inFlight = controller;
    const timer = setTimer(() => controller.abort(new Error('timed out')), timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (etag) headers['if-none-match'] = etag;
    if (lastModified) headers['if-modified-since'] = lastModified;
    const sentAt = now();
    stats.requests++;
    try {
      // In a browser, keep its HTTP cache out of the way: this client makes its own conditional requests.
      const init = { headers, signal: controller.signal, ...(inBrowser ? { cache: 'no-store' } : {}) } as RequestInit;
      const response = await doFetch(options.url, init);
      const receivedAt = now();
      const date = Date.parse(response.headers.get('date') ?? '');
      // The Date header has whole seconds: the server's time is half a second past it, on average.
      if (!Number.isNaN(date)) offsetMs = date + 500 - (sentAt + receivedAt) / 2;
      if (response.status === 304) {
        stats.notModified++;
        await response.body?.cancel();
        succeed(response.headers.get('cache-control'));
        return;
      }
      if (response.status === 429 || response.status === 503) {
        stats.throttled++;
        await response.body?.cancel();
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), correctedNow());
        fail(new Error(`the feed answered ${response.status}`), retryAfter);
        return;
      }
      if (!response.ok) {
        await response.body?.cancel();
        stats.failures++;
        fail(new Error(`the feed answered ${response.status}`));
        return;
      }
      const parsed = parseFeed(await response.text());
      if (!parsed) {
        stats.failures++;
        fail(new Error('the feed could not be read; the last good one is kept'));
        return;
      }
      stats.ok++;
      feed = parsed;
      etag = response.headers.get('etag') ?? undefined;
      lastModified = response.headers.get('last-modified') ?? undefined;
      succeed(response.headers.get('cache-control'));
    } catch (error) {
      if (!running) return; // stopped while in flight: not a failure
      stats.failures++;
      fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      clearTimer(timer);
      if (inFlight === controller) inFlight = undefined;
    }
  }

  function succeed(cacheControl: string | null): void {
    confirmedAt = now();
    maxAgeMs = parseMaxAge(cacheControl) ?? 0;
    backoffMs = 0;
    publish();
    schedule(normalInterval());
  }

  const client: BannerClient = {
    start() {
      if (running || options.signal?.aborted) return;
      running = true;
      options.signal?.addEventListener('abort', () => client.stop(), { once: true });
      if (feed) publish();
      schedule(random() * (options.firstPollSpreadMs ?? normalInterval()));
    },
    stop() {
      running = false;
      dueAt = null;
      if (pollTimer !== undefined) clearTimer(pollTimer);
      if (clockTimer !== undefined) clearTimer(clockTimer);
      pollTimer = clockTimer = undefined;
      inFlight?.abort(new Error('stopped'));
    },
    state,
    feed: () => feed,
    feedAgeMs: () => (confirmedAt === null ? null : now() - confirmedAt),
    clockOffsetMs: () => offsetMs,
    nextPollAt: () => dueAt,
    stats,
  };
  return client;
}
