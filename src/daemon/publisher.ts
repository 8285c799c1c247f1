// Publish on change: the daemon asks for a publish when a check's confirmed status changes, a post
// is added or edited under content/, the clock starts or ends a maintenance (or a new day begins
// for the uptime bars), and every few minutes for fresh figures. Requests are debounced, builds
// never overlap, and a request during a build triggers exactly one more. A post that fails
// validation is logged with its file and line; the last good posts keep being published (so a
// status change still reaches the page) and the next good edit publishes the posts.
// Posts are re-read when the watch on content/ saw a change, and also whenever content/'s
// fingerprint differs from the one they were read at, so a change no watch reported is published
// by the next build (the periodic refresh at the latest).
import { spawn } from 'node:child_process';
import { realpath, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../config/load.ts';
import { OVERRUN_LIMIT_MS } from '../posts/state.ts';
import type { Post } from '../posts/types.ts';
import { loadPosts } from '../posts/load.ts';
import { StatuspostError } from '../errors.ts';
import { buildAndPublish } from '../publish/build-site.ts';
import { publish } from '../publish/swap.ts';
import { zoneDays } from '../status/component-days.ts';
import { gatherSnapshotInput } from '../status/gather.ts';
import type { LiveStatus } from '../live/live-status.ts';
import type { LiveByLocation } from '../locations/live.ts';
import { incidentCharts } from '../postmortem/gather.ts';
import { buildSnapshot, type Snapshot } from '../status/snapshot.ts';
import type { Store } from '../store/types.ts';
import { contentFingerprint, watchContent, type ContentWatcher } from './content-watch.ts';
import type { Logger } from './log.ts';

export interface PublisherOptions {
  config: Config;
  store: Store;
  logger: Logger;
  /** The published folder (a link to the current build). */
  out: string;
  /** Called before each build, to write buffered results first (the writer's flush). */
  beforeBuild?: () => Promise<unknown>;
  /** The daemon's kept state of today (src/live): read instead of today's raw results. */
  live?: LiveStatus | LiveByLocation;
  /** A shell command run after each publish with the build folder as its argument ($1). */
  afterPublish?: string;
  /** Quiet time after a request before building; more requests within it make one build. Default 1 s. */
  debounceMs?: number;
  /** Republish at least this often, for fresh figures. Default 5 minutes. */
  refreshMs?: number;
  /** Retry after a failed publish (disk full, folder unwritable). Default 30 s. */
  retryMs?: number;
  notice?: string;
  /** Watch content/ for edits. Default true. Without it, posts are re-read when content/'s fingerprint changes, checked at every build. */
  watchContent?: boolean;
  /** Called after every publish attempt, good or failed (the heartbeat). */
  afterAttempt?: () => void;
  /**
   * Called after each successful publish with what was published (subscriber notifications of new
   * feed items: src/notify/subscribers/feed-events.ts). Its failure is logged; the publish stands.
   */
  onPublished?: (site: { snapshot: Snapshot; posts: readonly Post[]; now: number; folder: string }) => Promise<unknown>;
  /** After every attempt: whether it published, and what is wrong with content/ (null: nothing). For alerts. */
  onOutcome?: (outcome: { published: boolean; error: string | null; postsProblem: string | null }) => void;
  /**
   * Several publisher candidates on one store (src/locations/lease.ts): only the lease holder builds
   * (`token()` null: no build), and the swap runs inside `commit` (store.fenced with that token), so
   * a publisher that lost the lease meanwhile replaces nothing. The token goes to --after-publish.
   */
  lease?: { token(): number | null; commit(token: number, swap: () => Promise<void>): Promise<void> };
}

export interface PublisherStats {
  published: number;
  failed: number;
  lastPublishAt: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  /** The status last computed, whether or not its publish succeeded (see `lastSnapshotPublished`). */
  lastSnapshot: Pick<Snapshot, 'overall' | 'generatedAt'> | null;
  lastSnapshotPublished: boolean;
}

export interface Publisher {
  /** Ask for a publish; debounced. */
  request(reason: string): void;
  /** Resolves when no build is running or pending. */
  idle(): Promise<void>;
  stats(): PublisherStats;
  /** The posts last read successfully (maintenance windows silence alerts); empty before the first read. */
  posts(): readonly Post[];
  stop(): Promise<void>;
}

export function startPublisher(options: PublisherOptions): Publisher {
  const { config, store, logger, out } = options;
  const debounceMs = options.debounceMs ?? 1_000;
  const stats: PublisherStats = { published: 0, failed: 0, lastPublishAt: null, lastDurationMs: null, lastError: null, lastSnapshot: null, lastSnapshotPublished: false };
  let posts: Post[] | undefined;
  /** content/'s fingerprint when posts were last read (undefined: never read). */
  let readAt: string | undefined;
  /** The watch reported a change since posts were last read. */
  let changeSeen = true;
  /** What is wrong with content/ while its last good posts (or none) are used instead. */
  let postsProblem: string | null = null;
  let debounce: NodeJS.Timeout | undefined;
  let clock: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let building: Promise<void> | undefined;
  let pending = false;
  let stopped = false;
  const reasons = new Set<string>();
  let standby: { folder: string; builtAt: number } | undefined;

  /**
   * The posts to publish. content/'s fingerprint (a stat of every file: about 0.3 s at 10,000 posts)
   * is taken when posts are read, and compared at the periodic refresh, or at every build when no
   * watch runs; a status-only republish with a watch running trusts the watch and skips it.
   */
  async function currentPosts(verify: boolean): Promise<Post[] | undefined> {
    // Taken before reading: a change while the posts are read makes the next build read them again.
    const seen = changeSeen;
    changeSeen = false;
    if (!seen && !verify && watcher && posts) return posts;
    const fingerprint = await contentFingerprint(config.root);
    if (!seen && fingerprint === readAt) return posts;
    if (!seen && readAt !== undefined) {
      logger.info('content-changed', watcher ? 'content/ changed and no watch event said so: posts re-read' : 'content/ changed: posts re-read', { watching: watcher !== undefined });
    }
    readAt = fingerprint;
    const loaded = await loadPosts({ root: config.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
    for (const warning of loaded.warnings) {
      logger.warn('post-warning', warning.message, { file: warning.at?.file, line: warning.at?.line, column: warning.at?.column, hint: warning.hint });
    }
    if (loaded.problems.length > 0) {
      for (const problem of loaded.problems) {
        logger.error('post-invalid', problem.message, { file: problem.at?.file, line: problem.at?.line, column: problem.at?.column, hint: problem.hint });
      }
      logger.warn('posts-kept', posts ? 'content/ has problems: the last good posts stay published until they are fixed' : 'content/ has problems and no good posts were loaded yet: nothing is published until they are fixed');
      postsProblem = `content/ has ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} (see the post-invalid log lines)`;
      return posts;
    }
    posts = loaded.posts;
    postsProblem = null;
    return posts;
  }

  async function build(): Promise<void> {
    const why = [...reasons].join(', ');
    reasons.clear();
    const started = Date.now();
    const token = options.lease ? options.lease.token() : undefined;
    if (token === null) {
      // Another publisher holds the lease: it publishes. This one builds the same site without
      // publishing it (a hot standby), so that gaining the lease publishes at once.
      logger.debug('publish-skipped', `not publishing (${why}): another publisher holds the lease; building a standby`);
      await buildStandby(why);
      return;
    }
    let fenced = false;
    try {
      if (token !== undefined && standby) await publishStandby(token);
      // The refresh also re-lists content/, re-arming any watch that was lost.
      const refresh = why.includes('refresh');
      if (refresh) await watcher?.rescan();
      await options.beforeBuild?.();
      const current = await currentPosts(refresh);
      if (!current) {
        stats.lastError = `nothing was published: ${postsProblem ?? 'no posts could be read'}`;
        return;
      }
      const now = Date.now();
      const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, current, now, options.live));
      // Kept before the build: while publishing fails, the heartbeat still says what the status is.
      stats.lastSnapshot = { overall: snapshot.overall, generatedAt: snapshot.generatedAt };
      stats.lastSnapshotPublished = false;
      const charts = await incidentCharts(store, config, current, now);
      const lease = options.lease;
      const commit = lease && token !== undefined ? (swap: () => Promise<void>) => lease.commit(token, swap) : undefined;
      const result = await buildAndPublish({ config, snapshot, posts: current, out, now, incidentCharts: charts, ...(options.notice ? { notice: options.notice } : {}), ...(commit ? { commit } : {}) });
      stats.published++;
      stats.lastPublishAt = Date.now();
      stats.lastDurationMs = stats.lastPublishAt - started;
      stats.lastError = null;
      stats.lastSnapshotPublished = true;
      logger.info('published', `published (${why}): ${snapshot.overall.description}; ${result.rendered} post pages rendered, ${result.reused} reused, in ${stats.lastDurationMs} ms`, {
        reason: why,
        status: snapshot.overall.indicator,
        ms: stats.lastDurationMs,
        ...(token !== undefined ? { token } : {}),
      });
      if (options.afterPublish) await runHook(options.afterPublish, result.folder, token);
      if (options.onPublished) {
        await options.onPublished({ snapshot, posts: current, now, folder: result.folder }).catch((error: unknown) => {
          logger.error('notify-feed-failed', `new feed items were not handed to the subscriber notifications: ${(error as Error).message}; the next publish tries again`);
        });
      }
      scheduleClock(current, now);
    } catch (error) {
      if (error instanceof StatuspostError && error.code === 'SP_LEASE_LOST') {
        // Not a failure to retry: the lease went to another publisher during the build, whose
        // publishes are the newer ones; this one must not land after them.
        fenced = true;
        logger.warn('publish-fenced', `the publish (${why}) was refused: ${error.message}; the publisher holding the lease publishes`);
        return;
      }
      stats.failed++;
      stats.lastError = (error as Error).message;
      logger.error('publish-failed', `the site was not published: ${(error as Error).message}; the published one stays, retried in ${Math.round((options.retryMs ?? 30_000) / 1000)} s`);
      if (!stopped) {
        clearTimeout(retry);
        retry = setTimeout(() => request('retry after a failed publish'), options.retryMs ?? 30_000);
        retry.unref();
      }
    } finally {
      options.afterAttempt?.();
      // "nothing was published" because content/ has problems is the posts' trouble, not publishing's;
      // a refused publish (fenced) says nothing about publishing's health either way.
      const published = stats.lastError === null || (postsProblem !== null && stats.lastError.includes(postsProblem));
      if (!fenced) options.onOutcome?.({ published, error: stats.lastError, postsProblem });
    }
  }

  /**
   * The standby's last complete build: published as soon as the lease is gained, then a fresh build
   * follows in the same attempt. Without it a takeover would wait for a whole build (about 18 s on a
   * busy machine) after the lease's expiry (10 s), beyond the 15 s a failover may take.
   */
  async function buildStandby(why: string): Promise<void> {
    try {
      await options.beforeBuild?.();
      const current = await currentPosts(why.includes('refresh'));
      if (!current) return;
      const now = Date.now();
      const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, current, now, options.live));
      stats.lastSnapshot = { overall: snapshot.overall, generatedAt: snapshot.generatedAt };
      stats.lastSnapshotPublished = false;
      const charts = await incidentCharts(store, config, current, now);
      const result = await buildAndPublish({ config, snapshot, posts: current, out, now, incidentCharts: charts, ...(options.notice ? { notice: options.notice } : {}), standby: true });
      const previous = standby;
      standby = { folder: result.folder, builtAt: now };
      if (previous) await dropStandby(previous.folder);
      logger.debug('standby-built', `standby build ready (${why}): ${snapshot.overall.description}`);
      scheduleClock(current, now);
    } catch (error) {
      logger.warn('standby-failed', `the standby build failed: ${(error as Error).message}; a takeover builds afresh`);
    }
  }

  async function publishStandby(token: number): Promise<void> {
    const ready = standby;
    standby = undefined;
    if (!ready) return;
    const fresh = Date.now() - ready.builtAt <= 2 * (options.refreshMs ?? 300_000);
    // Another publisher sharing this --out may have pruned it meanwhile.
    if (!fresh || !(await stat(join(ready.folder, 'index.html')).then(() => true, () => false))) {
      await dropStandby(ready.folder);
      return;
    }
    try {
      await publish(ready.folder, out, 2, (swap) => options.lease!.commit(token, swap));
    } catch (error) {
      await dropStandby(ready.folder);
      throw error;
    }
    stats.published++;
    stats.lastPublishAt = Date.now();
    stats.lastError = null;
    stats.lastSnapshotPublished = true;
    logger.info('published', `published (lease gained): the standby build of ${new Date(ready.builtAt).toISOString()}; a fresh build follows`, { reason: 'lease gained', token, standby: true });
    if (options.afterPublish) await runHook(options.afterPublish, ready.folder, token);
  }

  /** Removes a standby folder unless it is the one published. */
  async function dropStandby(folder: string): Promise<void> {
    const published = await realpath(out).catch(() => undefined);
    if (published !== undefined && resolve(published) === resolve(folder)) return;
    await rm(folder, { recursive: true, force: true }).catch(() => {});
  }

  function runHook(command: string, folder: string, token: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      // The fencing token lets the command refuse a sync older than one it already made (an object store's metadata).
      const env = token === undefined ? process.env : { ...process.env, STATUSPOST_FENCING_TOKEN: String(token) };
      const child = spawn('/bin/sh', ['-c', command, 'after-publish', folder], { stdio: ['ignore', 'ignore', 'pipe'], env });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      child.on('error', (error) => {
        logger.error('after-publish-failed', `the after-publish command could not start: ${error.message}`);
        resolve();
      });
      child.on('close', (code) => {
        if (code === 0) logger.info('after-publish', 'the after-publish command succeeded');
        else logger.error('after-publish-failed', `the after-publish command exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
        resolve();
      });
    });
  }

  /** Wakes up when the clock alone changes the page: a window starts, ends or overruns, or a new day. */
  function scheduleClock(current: readonly Post[], now: number): void {
    const days = zoneDays(config.site.timezone);
    const moments = [days.startOf(days.dayOf(now) + 1), now + (options.refreshMs ?? 300_000)];
    for (const post of current) {
      if (post.kind === 'maintenance') moments.push(post.announcedAt, post.startsAt, post.endsAt, post.endsAt + OVERRUN_LIMIT_MS, ...post.updates.map((u) => u.at));
      else moments.push(post.startedAt, ...post.updates.map((u) => u.at), ...(post.postmortemAt === null ? [] : [post.postmortemAt]));
    }
    const next = Math.min(...moments.filter((at) => at > now));
    clearTimeout(clock);
    if (stopped) return;
    const reason = next === moments[1] ? 'refresh' : next === moments[0] ? 'a new day' : 'a post\'s time came';
    clock = setTimeout(() => request(reason), Math.min(next - now + 50, 2_147_483_647));
    clock.unref();
  }

  function run(): void {
    if (stopped) return;
    if (building) {
      pending = true; // a change during a build: exactly one more build after it
      return;
    }
    building = build().finally(() => {
      building = undefined;
      if (pending && !stopped) {
        pending = false;
        run();
      }
    });
  }

  function request(reason: string): void {
    if (stopped) return;
    reasons.add(reason);
    if (debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      run();
    }, debounceMs);
  }

  let watcher: ContentWatcher | undefined;
  if (options.watchContent !== false) {
    watcher = watchContent({
      root: config.root,
      logger,
      onChange: (reason) => {
        changeSeen = true;
        request(reason);
      },
    });
  }
  request('start');

  return {
    request,
    async idle() {
      for (;;) {
        if (debounce) await new Promise((resolve) => setTimeout(resolve, debounceMs));
        else if (building) await building;
        else return;
      }
    },
    stats: () => ({ ...stats }),
    posts: () => posts ?? [],
    async stop() {
      stopped = true;
      watcher?.close();
      clearTimeout(debounce);
      clearTimeout(clock);
      clearTimeout(retry);
      debounce = undefined;
      await building;
      const left = standby;
      standby = undefined;
      if (left) await dropStandby(left.folder); // never published: nothing to keep
    },
  };
}
