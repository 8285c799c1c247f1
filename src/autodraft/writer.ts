// The daemon's hand for incidents drafted from probe outages: reads the posts (published and
// drafts), asks plan.ts what to write, and writes it through src/posts/write.ts (validated with every
// other post, atomic, never over another file, under the post's lock). It never throws into the
// daemon: a folder it cannot write (read-only, full), a post another command holds locked, or
// content/ with problems is logged with the reason and retried on the next change or after a while;
// nothing is lost, because each look decides again from the confirmed states and the files.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { composePost } from '../posts/compose.ts';
import { stampTime } from '../posts/stamp.ts';
import { amendPost, appendTo, setKey } from '../posts/amend.ts';
import { loadPosts } from '../posts/load.ts';
import { isAnnounced } from '../posts/state.ts';
import { isMaintenanceActive } from '../status/component-status.ts';
import { createPost, editPost } from '../posts/write.ts';
import type { Incident } from '../posts/types.ts';
import { ProblemsError, StatuspostError } from '../errors.ts';
import { when, type SiteInfo } from '../notify/events.ts';
import type { NotifyEvent, OutboxEntry } from '../notify/types.ts';
import type { ConfirmState } from '../runner/confirm.ts';
import type { Logger } from '../daemon/log.ts';
import type { Component } from '../config/schema.ts';
import { autoIncidentEvent, componentsNow } from './event.ts';
import { incidentView, planAutoIncidents, RECOVERY_WINDOW_MS, type AutoAction, type AutoIncidentsMode, type LedgerEntry } from './plan.ts';

export interface AutoIncidentsOptions {
  root: string;
  mode: AutoIncidentsMode;
  site: SiteInfo;
  components: readonly Component[];
  checks: ReadonlyArray<{ id: string; component: string }>;
  /** Every check's confirmed state now (the daemon's). */
  states: () => ReadonlyMap<string, ConfirmState>;
  logger: Logger;
  /** An incident was written: its alert (to the outbox). */
  onWritten?: (event: NotifyEvent) => void;
  recoveryWindowMs?: number;
  /**
   * Where the outages drafted for are remembered across restarts (JSON, absolute path), so a draft
   * deleted during an outage is not written again after a restart in that outage; none: in memory only.
   */
  ledgerFile?: string;
  /** How long a write waits for another command's lock on the same post (default 2 s; then retried later). */
  lockTimeoutMs?: number;
  /** After a failed write, look again this soon even without a change (default 30 s). */
  retryMs?: number;
  now?: () => number;
}

export interface AutoIncidents {
  /** Look again (a confirmed status changed); serialised, debounced by the running look. */
  request(reason: string): void;
  /** Resolves when no look is running or pending. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_SUFFIX = 99;

export function startAutoIncidents(options: AutoIncidentsOptions): AutoIncidents {
  const { root, mode, site, logger } = options;
  const now = options.now ?? Date.now;
  const window = options.recoveryWindowMs ?? RECOVERY_WINDOW_MS;
  const componentIds = options.components.map((c) => c.id);
  let ledger = new Map<string, LedgerEntry>();
  /** Declines already logged ("component file"), so a deleted draft is said once per outage. */
  const saidDeclined = new Set<string>();
  /** Problems already logged, so a failing write is not logged at every look. */
  let lastFailure: string | null = null;
  /** Whether a look may find work with no component in outage: an own incident waits for its recovery. */
  let ownLive = true;
  let running: Promise<void> | undefined;
  let pending = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const later = (at: number) => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => request('a recovery window ended or a retry is due'), Math.max(50, Math.min(at - now(), 2_147_483_647)));
    timer.unref();
  };

  let ledgerRead = options.ledgerFile === undefined;
  let ledgerWritten = '';
  async function readLedger(): Promise<void> {
    ledgerRead = true;
    try {
      const entries = JSON.parse(await readFile(options.ledgerFile!, 'utf8')) as unknown;
      if (!Array.isArray(entries)) return;
      for (const item of entries) {
        const [id, entry] = item as [unknown, { file?: unknown; lastOutageAt?: unknown }];
        if (typeof id === 'string' && typeof entry?.file === 'string' && typeof entry.lastOutageAt === 'number') ledger.set(id, { file: entry.file, lastOutageAt: entry.lastOutageAt });
      }
      ledgerWritten = JSON.stringify([...ledger]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('auto-incident-ledger', `${options.ledgerFile} could not be read (${(error as Error).message}); a draft deleted before the restart may be written again`);
    }
  }
  async function writeLedger(): Promise<void> {
    const text = JSON.stringify([...ledger]);
    if (options.ledgerFile === undefined || text === ledgerWritten) return;
    const temporary = `${options.ledgerFile}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(options.ledgerFile), { recursive: true });
      await writeFile(temporary, text);
      await rename(temporary, options.ledgerFile);
      ledgerWritten = text;
    } catch (error) {
      logger.debug('auto-incident-ledger', `${options.ledgerFile} not written (${(error as Error).message}); kept in memory`);
    }
  }

  async function look(): Promise<void> {
    if (!ledgerRead) await readLedger();
    const at = now();
    const components = componentsNow(options.components, options.checks, options.states());
    if (!ownLive && ledger.size === 0 && !components.some((c) => c.status === 'partial_outage' || c.status === 'major_outage')) return;
    const loaded = await loadPosts({ root, componentIds, siteTimezone: site.timezone, now: at });
    if (loaded.problems.length > 0) {
      fail(`content/ has ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} (first: ${describe(loaded.problems[0]!)})`, at);
      return;
    }
    const incidents = [...loaded.posts, ...loaded.drafts].filter((post): post is Incident => post.kind === 'incident');
    const byFile = new Map(incidents.map((incident) => [incident.file, incident]));
    const inMaintenance = new Set(
      componentIds.filter((id) => loaded.posts.some((post) => post.kind === 'maintenance' && isAnnounced(post, at) && isMaintenanceActive(post, id, at))),
    );
    const plan = planAutoIncidents({ mode, components, incidents: incidents.map(incidentView), ledger, inMaintenance, now: at, recoveryWindowMs: window, timeWords: (t) => when(t, site.timezone) });
    ledger = plan.ledger;
    for (const declined of plan.declined) {
      const key = `${declined.component} ${declined.file}`;
      if (saidDeclined.has(key)) continue;
      saidDeclined.add(key);
      logger.info('incident-declined', `${declined.file} was deleted during the outage of ${declined.component}: not drafted again for this outage`, { component: declined.component, file: declined.file });
    }
    ownLive = incidents.some((incident) => incident.source === 'probes' && incident.resolvedAt === null && (mode === 'publish' || incident.draft === true));
    let failed = false;
    for (const action of plan.actions) {
      try {
        if (action.type === 'create') {
          await create(action, loaded.files, at);
          ownLive = true;
        } else await update(action, byFile.get(action.file)!);
      } catch (error) {
        failed = true;
        fail(`${action.type === 'create' ? `the incident for ${Object.keys(action.components).join(', ')} was not written` : `${action.file} was not updated`}: ${describe(error)}`, at);
      }
    }
    await writeLedger();
    if (!failed) lastFailure = null;
    if (failed) later(at + (options.retryMs ?? 30_000));
    else if (plan.nextAt !== null) later(plan.nextAt);
  }

  function fail(message: string, at: number): void {
    if (message !== lastFailure) logger.warn('auto-incident-failed', `${message}; tried again on the next change, and in ${Math.round((options.retryMs ?? 30_000) / 1000)} s`, {});
    lastFailure = message;
    later(at + (options.retryMs ?? 30_000));
  }

  async function create(action: Extract<AutoAction, { type: 'create' }>, files: readonly string[], at: number): Promise<void> {
    const ids = Object.keys(action.components);
    const composed = composePost({ kind: 'incident', title: action.title, zone: site.timezone, start: action.start, components: ids, impact: action.impact, status: Object.values(action.components)[0]! });
    const text = amendPost(composed.file, composed.text, {
      frontMatter: (document) => {
        // The measured start to the second, as the commands stamp times: compose.ts writes minutes.
        setKey(document, 'start', stampTime(action.start, site.timezone, true));
        document.setIn(['updates', 0, 'at'], stampTime(action.start, site.timezone, true));
        setKey(document, 'components', action.components);
        setKey(document, 'source', 'probes');
        if (!action.publish) setKey(document, 'draft', true);
      },
    });
    const taken = new Set(files.map((file) => file.replace(/\.(md|markdown)$/i, '').toLowerCase()));
    const base = composed.file.replace(/\.md$/, '');
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (taken.has(name.toLowerCase())) continue;
      const file = `${name}.md`;
      try {
        const written = await createPost({ root, componentIds, siteTimezone: site.timezone, now: at, lockTimeoutMs: options.lockTimeoutMs ?? 2_000 }, file, text);
        const slug = written.post.slug;
        for (const id of ids) ledger.set(id, { file, lastOutageAt: at });
        const what = Object.entries(action.components).map(([id, status]) => `${id}: ${status}`).join(', ');
        if (action.publish) {
          logger.info('incident-published', `published incident ${file} for ${what}; post updates with \`statuspost update ${slug}\`, resolve it with \`statuspost resolve ${slug}\``, { file, slug, components: ids.join(',') });
        } else {
          logger.info('incident-drafted', `drafted incident ${file} for ${what}; publish with \`statuspost publish ${slug}\``, { file, slug, components: ids.join(',') });
        }
        const names = new Map(options.components.map((c) => [c.id, c.name]));
        options.onWritten?.(
          autoIncidentEvent(site, { file, slug, title: action.title, start: action.start, published: action.publish, components: ids.map((id) => ({ id, name: names.get(id) ?? id, status: action.components[id]! })) }, now()),
        );
        return;
      } catch (error) {
        if (error instanceof StatuspostError && error.code === 'SP_POST_EXISTS') continue;
        throw error;
      }
    }
    throw new StatuspostError('SP_POST_EXISTS', `${base}.md and ${MAX_SUFFIX - 1} numbered names after it exist already`);
  }

  async function update(action: Extract<AutoAction, { type: 'update' }>, incident: Incident): Promise<void> {
    const zone = incident.timezone;
    await editPost({ root, componentIds, siteTimezone: site.timezone, lockTimeoutMs: options.lockTimeoutMs ?? 2_000 }, action.file, (text) =>
      amendPost(action.file, text, {
        frontMatter: (document) => appendTo(document, 'updates', { at: stampTime(action.at, zone, true), status: action.status, body: action.body, components: action.components }),
      }),
    );
    const what = Object.entries(action.components).map(([id, status]) => `${id}: ${status}`).join(', ');
    logger.info('incident-updated', `${action.file}: ${action.status} update appended (${action.why}: ${what})`, { file: action.file, slug: action.slug, status: action.status, why: action.why });
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      pending = true;
      return;
    }
    running = look()
      .catch((error: unknown) => {
        // A bug, not bad input: logged, never thrown into the daemon.
        logger.error('auto-incident-failed', `incidents from outages: ${(error as Error).stack ?? String(error)}`);
      })
      .finally(() => {
        running = undefined;
        if (pending && !stopped) {
          pending = false;
          run();
        }
      });
  }

  function request(_reason: string): void {
    if (mode === 'off') return;
    run();
  }

  if (mode !== 'off') request('start');

  return {
    request,
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      while (running) await running;
    },
  };
}

/** A failure in words: the code's message with its position, or the system error's reason. */
function describe(error: unknown): string {
  if (error instanceof ProblemsError) return error.problems.map(describe).join('; ');
  if (error instanceof StatuspostError) return `${error.at?.file ? `${error.at.file}${error.at.line ? `:${error.at.line}` : ''}: ` : ''}${error.message} [${error.code}]`;
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EROFS: 'content/ is on a read-only file system (EROFS)',
    EACCES: 'permission denied (EACCES)',
    EPERM: 'not permitted (EPERM)',
    ENOSPC: 'the disk is full (ENOSPC)',
    EDQUOT: 'the disk quota is used up (EDQUOT)',
  };
  return (code && reasons[code]) ?? (error as Error).message ?? String(error);
}


/**
 * The daemon's wiring, one place for `statuspost run` and `statuspost demo`: nothing when
 * site.yaml says `autoIncidents: off`; otherwise drafts from the daemon's confirmed states, each
 * written incident's alert into the daemon's outbox (when alerts are configured).
 */
export function startDaemonAutoIncidents(options: {
  config: { root: string; site: { autoIncidents: AutoIncidentsMode }; components: readonly Component[]; checks: ReadonlyArray<{ id: string; component: string }> };
  site: SiteInfo;
  daemon: { stats(): { statuses: Record<string, ConfirmState> }; enqueue(entries: readonly OutboxEntry[]): void };
  alerts: { event(event: NotifyEvent, now: number): OutboxEntry | null } | undefined;
  logger: Logger;
  ledgerFile: string;
  recoveryWindowMs?: number;
}): AutoIncidents | undefined {
  const { config, daemon, alerts } = options;
  if (config.site.autoIncidents === 'off') return undefined;
  return startAutoIncidents({
    root: config.root,
    mode: config.site.autoIncidents,
    site: options.site,
    components: config.components,
    checks: config.checks,
    states: () => new Map(Object.entries(daemon.stats().statuses)),
    logger: options.logger,
    ledgerFile: options.ledgerFile,
    onWritten: (event) => {
      const entry = alerts?.event(event, Date.now());
      if (entry) daemon.enqueue([entry]);
    },
    ...(options.recoveryWindowMs !== undefined ? { recoveryWindowMs: options.recoveryWindowMs } : {}),
  });
}
