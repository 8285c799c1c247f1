// Writing a post safely, for every command and the daemon: under a lock per file, the new text is
// validated together with every other post (the build's own loader and rules), and only a valid text
// is written, to a hidden temporary file beside the post that is then renamed over it. A reader (the
// daemon's watcher, the build) sees the old file or the new one, never a half; two writers queue on
// the lock, so neither loses the other's update; an invalid text leaves the file byte-identical.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ProblemsError, StatuspostError } from '../errors.ts';
import { loadPosts, postKindOf, type LoadPostsOptions } from './load.ts';
import type { Post } from './types.ts';

export interface WriteContext extends Omit<LoadPostsOptions, 'overrides'> {
  /** How long to wait for another writer's lock before giving up (default 10 s). */
  lockTimeoutMs?: number;
}

export interface Written {
  /** Relative to the project root. */
  file: string;
  /** The post as the build reads it from the text written. */
  post: Post;
  before: string | undefined;
  after: string;
}

/**
 * Reads `file`, applies `change` to its text, validates the result with every other post, and
 * replaces the file with it. `change` may throw a StatuspostError to refuse (nothing is written).
 * A text equal to the old one is not written again.
 */
export async function editPost(context: WriteContext, file: string, change: (text: string) => string | Promise<string>): Promise<Written> {
  return withPostLock(context, file, async () => {
    let before: string;
    try {
      before = await readFile(join(context.root, file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StatuspostError('SP_POST_INVALID', `${file} does not exist`, { hint: 'run `statuspost list` to see the posts and their slugs' });
      throw error;
    }
    const after = await change(before);
    const post = await validate(context, file, after);
    if (after !== before) await replaceFile(join(context.root, file), after);
    return { file, post, before, after };
  });
}

/** Writes a new post; refuses (SP_POST_EXISTS) if the file is there already, and never replaces it. */
export async function createPost(context: WriteContext, file: string, text: string): Promise<Written> {
  return withPostLock(context, file, async () => {
    const post = await validate(context, file, text);
    const path = join(context.root, file);
    const temporary = await writeTemporary(path, text);
    try {
      await link(temporary, path); // atomic, and fails with EEXIST instead of replacing
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new StatuspostError('SP_POST_EXISTS', `${file} exists already; nothing was written`, { hint: 'choose another --title, or edit that file' });
      throw error;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    await syncFolder(dirname(path));
    return { file, post, before: undefined, after: text };
  });
}

/** The post `text` would be in `file`, checked with all the others; throws every problem found. */
export async function validate(context: WriteContext, file: string, text: string): Promise<Post> {
  if (!postKindOf(file)) throw new StatuspostError('SP_POST_INVALID', `${file} is not under content/incidents/ or content/maintenance/ with a .md name`);
  const { lockTimeoutMs: _unused, ...options } = context;
  const loaded = await loadPosts({ ...options, overrides: new Map([[file, text]]) });
  if (loaded.problems.length > 0) {
    const own = loaded.problems.filter((problem) => problem.at?.file === file);
    throw new PostRefused(file, own.length > 0 ? own : loaded.problems);
  }
  const post = [...loaded.posts, ...loaded.drafts].find((candidate) => candidate.file === file);
  if (!post) throw new Error(`${file} was validated but not loaded`); // the loader reads every listed file
  return post;
}

/** The problems that kept a text from being written, each with its position; the file is unchanged. */
export class PostRefused extends ProblemsError {
  constructor(
    readonly file: string,
    found: StatuspostError[],
  ) {
    super([...found, new StatuspostError('SP_POST_INVALID', `nothing was written: ${file} is as it was`, { at: { file }, hint: 'fix what is listed above and run the command again' })]);
  }
}

/**
 * Runs `task` holding `.NAME.lock` beside the post (hidden: the loader and the daemon's watcher pass
 * over it). A lock left by a process that died is taken over; a live holder is waited for.
 */
export async function withPostLock<T>(context: Pick<WriteContext, 'root' | 'lockTimeoutMs'>, file: string, task: () => Promise<T>): Promise<T> {
  const path = join(context.root, file);
  await mkdir(dirname(path), { recursive: true });
  const lock = join(dirname(path), `.${basename(path)}.lock`);
  const deadline = Date.now() + (context.lockTimeoutMs ?? 10_000);
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await holderIsGone(lock)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StatuspostError('SP_POST_LOCKED', `${file} is being written by another statuspost command`, { hint: `wait for it to finish; if none is running, remove ${join(dirname(file), basename(lock))}` });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  try {
    return await task();
  } finally {
    await rm(lock, { force: true });
  }
}

async function holderIsGone(lock: string): Promise<boolean> {
  const text = await readFile(lock, 'utf8').catch(() => undefined);
  if (text === undefined) return false; // gone already (the next try takes it) or being written
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return text.endsWith('\n'); // a whole line that is no pid: not ours
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Writes `text` to a hidden temporary file beside `path`, flushed to disk; returns its path. */
async function writeTemporary(path: string, text: string): Promise<string> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temporary;
}

async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = await writeTemporary(path, text);
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncFolder(dirname(path));
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined); // some file systems cannot sync a folder; the rename stands
  await handle.close();
}
