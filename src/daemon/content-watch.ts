// Watching content/ so that every way of saving a post is seen. On Linux, fs.watch follows an inode:
// a file saved by rename (vim, `sed -i`, `git checkout`, a deploy) is a new inode, and a watch on
// the old file, which Node 20's recursive watch sets per file, goes deaf. So this watches folders,
// never files: a folder's watch reports creations, deletions and renames of its entries as well as
// writes to them. Each folder under content/ has its own watch, found again after every rename
// (new subfolders, a folder replaced), and the project folder is watched for content/ itself being
// created, removed or swapped. A watch that cannot be set (the inotify limit) is logged and retried.
//
// Events can still be missed (a network file system raises none for other machines' writes), so
// the publisher also compares a fingerprint of content/ at the periodic refresh (at every build when
// nothing watches): `contentFingerprint` lists every file with its size, times and inode.
import { readdirSync, statSync, watch, type BigIntStats, type Dirent, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join, relative } from 'node:path';
import type { Logger } from './log.ts';

/**
 * Editors' scratch files, which change while someone types and never hold a post: vim's swap files
 * (.post.md.swp) and its "can I write here" probe (4913), backups (post.md~), emacs's lock and
 * autosave files (.#post.md, #post.md#). Their changes do not ask for a publish.
 */
export function isEditorScratch(name: string): boolean {
  return /\.sw[a-px]$/.test(name) || name.endsWith('~') || name.startsWith('.#') || /^#.*#$/.test(name) || /^\d+$/.test(name);
}

/** Folders never worth watching or listing: a git repository kept inside content/. */
const SKIPPED_FOLDERS = new Set(['.git']);

interface Listing {
  /** Folder path → "device:inode", the identity its watch is bound to. */
  folders: Map<string, string>;
  files: Array<{ path: string; identity: string }>;
}

/**
 * Every folder and file under `folder` (content/ itself followed if it is a link, nothing else).
 * Synchronous calls, a few hundred at a time: at 10,000 posts a listing through the thread pool
 * took 0.5 to 1.3 s, this way a small fraction of that, and the event loop (the probes' timers)
 * gets a turn between batches.
 */
async function list(folder: string, withFiles: boolean): Promise<Listing> {
  const listing: Listing = { folders: new Map(), files: [] };
  let top: BigIntStats | undefined;
  try {
    top = statSync(folder, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return listing; // no content/ (yet): no posts
    throw error;
  }
  if (!top.isDirectory()) return listing;
  listing.folders.set(folder, `${top.dev}:${top.ino}`);
  const pending = [folder];
  let calls = 0;
  const breathe = async () => {
    if (++calls % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // removed while it was listed: the event its removal raised lists again
    }
    for (const entry of entries) {
      await breathe();
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_FOLDERS.has(entry.name)) continue;
        const s = statSync(path, { bigint: true, throwIfNoEntry: false });
        if (!s) continue;
        listing.folders.set(path, `${s.dev}:${s.ino}`);
        pending.push(path);
        continue;
      }
      if (!withFiles || isEditorScratch(entry.name)) continue;
      try {
        const s = statSync(path, { bigint: true, throwIfNoEntry: false });
        if (s) listing.files.push({ path, identity: `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.dev}:${s.ino}` });
      } catch (error) {
        listing.files.push({ path, identity: (error as NodeJS.ErrnoException).code ?? 'error' }); // unreadable: the loader says why
      }
    }
  }
  return listing;
}

/**
 * A hash of every file under content/ (path, size, modification and change times in nanoseconds,
 * inode): equal fingerprints mean nothing was written, renamed, added or removed in between.
 */
export async function contentFingerprint(root: string): Promise<string> {
  const content = join(root, 'content');
  const { files, folders } = await list(content, true);
  if (folders.size === 0) return 'no content/ folder';
  const hash = createHash('sha256');
  for (const file of files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(relative(content, file.path)).update('\0').update(file.identity).update('\n');
  }
  return hash.digest('base64url');
}

export interface ContentWatcher {
  /** Lists content/ again and re-arms any watch that was lost or never set. */
  rescan(): Promise<void>;
  close(): void;
}

export interface ContentWatchOptions {
  root: string;
  logger: Logger;
  /** Something under content/ changed (or may have: a folder appeared whose files were not watched yet). */
  onChange(reason: string): void;
  /** After a watch could not be set, try again this much later. Default 60 s. */
  retryMs?: number;
}

export function watchContent(options: ContentWatchOptions): ContentWatcher {
  const { root, logger, onChange } = options;
  const content = join(root, 'content');
  const retryMs = options.retryMs ?? 60_000;
  const watched = new Map<string, { watcher: FSWatcher; identity: string }>();
  let projectWatcher: FSWatcher | undefined;
  let closed = false;
  /** A watch could not be set in the latest listing (or failed since). */
  let failing = false;
  /** A failure was logged and no "watched again" has followed it yet: one warning per outage. */
  let warned = false;
  let retry: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;
  let again = false;
  let first = true;
  /** content/'s own device:inode at the last listing (undefined: there was none). */
  let contentIdentity: string | undefined;

  const name = (path: string) => relative(root, path) || '.';

  function failed(path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      rescanSoon(); // removed between the listing and the watch: list again
      return;
    }
    const why = code === 'ENOSPC' ? 'the system limit on watched folders is reached (fs.inotify.max_user_watches)' : (error as Error).message;
    if (!warned) {
      logger.warn('watch-failed', `${name(path)} cannot be watched: ${why}; posts are still re-read at every refresh, and the watch is retried in ${Math.round(retryMs / 1000)} s`, { folder: name(path), code });
    }
    warned = true;
    failing = true;
    clearTimeout(retry);
    retry = setTimeout(() => void rescan(), retryMs);
    retry.unref();
  }

  function watchProject(): void {
    if (projectWatcher || closed) return;
    try {
      // Only the project folder's own entries: content/ created, removed, or renamed into place.
      projectWatcher = watch(root, (_event, entry) => {
        if (entry === null || String(entry) === 'content') rescanSoon();
      });
      projectWatcher.on('error', (error) => {
        projectWatcher?.close();
        projectWatcher = undefined;
        failed(root, error);
      });
    } catch (error) {
      failed(root, error);
    }
  }

  function watchFolder(path: string, identity: string): boolean {
    try {
      const watcher = watch(path, (event, entry) => {
        // The folder itself removed or moved away is reported to its own watch under its own name.
        // Its watch is dead then, even if a new folder at that path gets the same inode number back
        // (ext4 reuses them), so it is dropped and set again.
        if (event === 'rename' && entry !== null && String(entry) === basename(path) && watched.get(path)?.watcher === watcher) {
          watcher.close();
          watched.delete(path);
        }
        // A rename in a folder may be a subfolder made, removed or replaced: list again.
        if (event === 'rename') rescanSoon();
        if (entry !== null && isEditorScratch(String(entry))) return;
        onChange('content/ changed');
      });
      watcher.on('error', (error) => {
        watcher.close();
        if (watched.get(path)?.watcher === watcher) watched.delete(path);
        failed(path, error);
      });
      watched.set(path, { watcher, identity });
      return true;
    } catch (error) {
      failed(path, error);
      return false;
    }
  }

  async function reconcile(): Promise<void> {
    failing = false;
    watchProject();
    const { folders } = await list(content, false).catch((error: Error) => {
      failed(content, error);
      return { folders: new Map<string, string>() };
    });
    if (closed) return;
    const before = contentIdentity;
    for (const [path, entry] of watched) {
      if (folders.get(path) === entry.identity) continue;
      entry.watcher.close(); // gone, or another folder now has its name: its watch hears nothing useful
      watched.delete(path);
    }
    let added = 0;
    for (const [path, identity] of folders) {
      if (watched.has(path)) continue;
      if (watchFolder(path, identity)) added++;
    }
    const now = folders.get(content);
    contentIdentity = now;
    if (first) {
      first = false;
      logger.debug('watching', `watching ${watched.size} folders under content/ for changes`, { folders: watched.size });
      return;
    }
    if (warned && !failing) {
      warned = false;
      logger.info('watch-rearmed', `content/ is watched again (${watched.size} folders)`, { folders: watched.size });
    }
    if (before !== now) {
      if (now === undefined) logger.warn('content-missing', 'content/ was removed: the site has no posts until it is back; watching for it');
      else logger.info('watch-rearmed', `content/ was ${before === undefined ? 'created' : 'replaced'}: watching the new folder (${watched.size} folders)`, { folders: watched.size });
      onChange(now === undefined ? 'content/ removed' : before === undefined ? 'content/ created' : 'content/ replaced');
    } else if (added > 0) {
      // Files may have been written into a new folder before its watch was set.
      onChange('a folder appeared under content/');
    }
  }

  async function rescan(): Promise<void> {
    if (closed) return;
    if (scanning) {
      again = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        again = false;
        await reconcile();
      } while (again && !closed);
    })().finally(() => {
      scanning = undefined;
    });
    return scanning;
  }

  function rescanSoon(): void {
    if (closed || soon) return;
    // A burst of renames (git checkout, a deploy) makes one listing.
    soon = setTimeout(() => {
      soon = undefined;
      void rescan();
    }, 50);
    soon.unref();
  }

  void rescan();
  return {
    rescan,
    close() {
      closed = true;
      clearTimeout(retry);
      clearTimeout(soon);
      projectWatcher?.close();
      for (const { watcher } of watched.values()) watcher.close();
      watched.clear();
    },
  };
}
