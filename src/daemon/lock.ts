// One daemon per SQLite file: a lock file beside the database holds the owner's pid. A lock left by
// a killed daemon (its pid no longer runs) is taken over, so a crash never blocks a restart.
import { open, readFile, rm } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { StatuspostError } from '../errors.ts';
import { makeFolder } from '../make-folder.ts';

export interface Lock {
  release(): Promise<void>;
}

export interface LockHolder {
  /** What the lock's owner is doing, for the refusal: "another statuspost daemon (pid 12) is already recording into this store". */
  refusal(pid: number): string;
  hint: string;
}

const STORE_HOLDER: LockHolder = {
  refusal: (pid) => `another statuspost daemon (pid ${pid}) is already recording into this store`,
  hint: 'stop that daemon first, or give this one its own store in probes/site.yaml',
};

export async function acquireLock(path: string, root: string, holder: LockHolder = STORE_HOLDER): Promise<Lock> {
  // A folder that cannot be made or written (read-only, /proc, no permission) is the store being
  // unavailable, said with its cause: never an internal error, never a hang.
  const unavailable = (error: unknown) =>
    new StatuspostError('SP_STORE_UNAVAILABLE', `cannot take the lock ${relative(root, path)}: ${(error as Error).message}`, {
      at: { file: relative(root, path) },
      hint: 'the store and its lock need a folder statuspost can write to (store.path in probes/site.yaml)',
      cause: error,
    });
  await makeFolder(dirname(path)).catch((error: unknown) => {
    throw unavailable(error);
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unavailable(error);
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new StatuspostError('SP_STORE_LOCKED', holder.refusal(owner), { at: { file: relative(root, path) }, hint: holder.hint });
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new StatuspostError('SP_STORE_LOCKED', 'could not take the store lock', { at: { file: relative(root, path) } });
}

/** The pid holding the lock at `path`, if that process still runs. */
export async function lockOwner(path: string): Promise<number | undefined> {
  const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  return Number.isInteger(owner) && owner > 0 && isRunning(owner) ? owner : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
