// Publishing replaces the live site in one step, or not at all. The published path is a symbolic
// link to a complete build folder; a new build is written beside it, checked, and the link is
// replaced by rename(2), which is atomic: a reader (nginx, `statuspost serve`, a sync to a CDN) sees
// the old site or the new one, never a mix, and a process killed at any moment leaves one of them.
import { lstat, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StatuspostError } from '../errors.ts';
import { makeFolder } from '../make-folder.ts';

/** Where builds live: a hidden folder beside the published path. */
export function buildsFolder(publishedPath: string): string {
  return join(dirname(resolve(publishedPath)), `.${basename(publishedPath)}.builds`);
}

/** A standby publisher's build (src/daemon/publisher.ts): kept by others' pruning while it is this young. */
const STANDBY_SUFFIX = '-standby';
const STANDBY_KEPT_MS = 60 * 60_000;

/** A fresh, empty folder for the next build, beside the published ones. */
export async function newBuildFolder(publishedPath: string, now = Date.now(), standby = false): Promise<string> {
  const folder = join(buildsFolder(publishedPath), `${new Date(now).toISOString().replace(/[:.]/g, '-')}-${process.pid}${standby ? STANDBY_SUFFIX : ''}`);
  try {
    await makeFolder(folder);
  } catch (error) {
    throw unwritable(publishedPath, error);
  }
  return folder;
}

const WRITE_ERRORS: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable by this user',
  EPERM: 'may not be written (permissions or an immutable attribute)',
  ENOSPC: 'has no space left',
  EDQUOT: 'is over its disk quota',
  ENOTDIR: 'has a file where a folder should be',
  ENOENT: 'does not let a folder be made in it',
};

/** The publish folder's write error, named by its real cause; the published site is untouched. */
export function unwritable(publishedPath: string, error: unknown): StatuspostError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why = WRITE_ERRORS[code] ?? (error as Error).message;
  return new StatuspostError('SP_BUILD_FAILED', `the publish folder cannot be written: ${dirname(resolve(publishedPath))} ${why}${code ? ` (${code})` : ''}`, {
    hint: 'the published site was left as it was; make the folder writable (or point --out elsewhere) and the next attempt publishes',
    cause: error,
  });
}

/**
 * Wraps the one atomic step (the rename), e.g. in the publisher lease's fenced transaction
 * (store.fenced): it must call `swap` at most once, and may refuse by rejecting without calling it.
 * Pruning old builds stays outside it, so the lease's row is held only for the rename.
 */
export type SwapCommit = (swap: () => Promise<void>) => Promise<void>;

/**
 * Points `publishedPath` at `buildFolder` atomically. A published path that is a real folder (left
 * by an older tool, or made by hand) is refused rather than deleted. With `commit`, the rename runs
 * inside it; if it does not run, nothing is replaced and this rejects (with `commit`'s error).
 */
export async function publish(buildFolder: string, publishedPath: string, keep = 2, commit?: SwapCommit): Promise<void> {
  const target = resolve(publishedPath);
  const current = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (current && !current.isSymbolicLink()) {
    throw new StatuspostError('SP_BUILD_FAILED', `${publishedPath} is a folder, not a published link; nothing was replaced`, {
      hint: `move it away once; statuspost then publishes ${publishedPath} as a link to complete builds`,
    });
  }
  const temporary = `${target}.next-${process.pid}`;
  try {
    await rm(temporary, { force: true });
    await symlink(resolve(buildFolder), temporary);
  } catch (error) {
    throw unwritable(publishedPath, error);
  }
  let swapped = false;
  const swap = async () => {
    if (swapped) return;
    try {
      await rename(temporary, target); // the one atomic step
    } catch (error) {
      throw unwritable(publishedPath, error);
    }
    swapped = true;
  };
  try {
    await (commit ? commit(swap) : swap());
  } finally {
    // A refused commit leaves the link unswapped: removed, so nothing half-made stays beside the site.
    if (!swapped) await rm(temporary, { force: true }).catch(() => {});
  }
  if (!swapped) throw new StatuspostError('SP_LEASE_LOST', `${publishedPath} was not replaced: the publish was not committed`);
  await pruneBuilds(publishedPath, keep);
}

/** Removes old builds, keeping the published one and the `keep` newest. */
export async function pruneBuilds(publishedPath: string, keep: number): Promise<void> {
  const folder = buildsFolder(publishedPath);
  const live = await readlink(resolve(publishedPath)).catch(() => undefined);
  const names = (await readdir(folder).catch(() => [] as string[])).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const name of old) {
    const path = join(folder, name);
    if (live !== undefined && resolve(live) === path) continue;
    // Another publisher's standby build beside these (a shared --out): its owner replaces it.
    if (name.endsWith(STANDBY_SUFFIX) && Date.now() - builtAt(name) < STANDBY_KEPT_MS) continue;
    await rm(path, { recursive: true, force: true });
  }
}

/** When a build folder was started, from its name ("2026-12-02T16-31-05-123Z-4242"); 0 if unreadable. */
function builtAt(name: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(name);
  return match ? Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`) || 0 : 0;
}
