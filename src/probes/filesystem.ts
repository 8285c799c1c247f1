// filesystem: the shared-files canary. Writes a small file, fsyncs it (on NFS that is a COMMIT to
// the server), reads it back, removes it, then reports free space. A share that is mounted but
// read-only, full, stale or hung fails here before users' uploads do.
//
// Limit, on purpose kept simple: file system calls cannot be cancelled. They run on libuv's thread
// pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), and on a hung NFS mount a call sits
// there until the kernel gives up, which with a "hard" mount is never. The deadline still reports
// down on time, and the stuck run tidies up (closes its handle, removes its canary) if the call ever
// returns. What it cannot do is free the thread: every run against a hung mount holds one more, and
// once all are held, every fs call and dns.lookup in the process waits too. The runner should not
// start a check again while its previous run is still settling; this probe keeps no state of its own.
import { randomBytes } from 'node:crypto';
import { open, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod/v4';
import { bytesOrRatioSchema, formatBytes, type BytesOrRatio } from '../config/bytes.ts';
import { deadlineFor, timeoutMessage, untilAborted } from './support/deadline.ts';
import { describeNetError } from './support/net-errors.ts';
import {
  checkBaseShape,
  degraded,
  down,
  formatLatency,
  normalizeBase,
  roundMs,
  up,
  type Probe,
} from './types.ts';

export const filesystemCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('filesystem'),
    /** The folder to test, e.g. the NFS share's mount point; a relative path is under the project root. */
    path: z
      .string()
      .min(1)
      .refine((path) => isAbsolute(path) || !/^\.\.(\/|$)/.test(normalize(path)), {
        // The canary is written there: a relative path that climbs out of the project would write outside it.
        error: 'a relative path must stay inside the project folder; write an absolute path (e.g. /mnt/share) for a folder elsewhere',
      }),
    /** Degraded below this much free space: a size ("40GB", "500MiB") or a share of the whole ("10%"). */
    minFree: bytesOrRatioSchema.optional(),
    canaryBytes: z.number().int().min(1).max(1024 * 1024).default(4096),
  })
  .transform(normalizeBase);

export type FilesystemCheck = z.output<typeof filesystemCheckSchema>;

type Step = 'stat' | 'write' | 'fsync' | 'read' | 'delete' | 'statfs';

/** A failure whose message is safe to publish. */
class Failure extends Error {}

export const filesystemProbe: Probe<FilesystemCheck> = {
  kind: 'filesystem',
  schema: filesystemCheckSchema,
  targets: (check) => [check.path],
  async run(check, stop) {
    const startedAt = Date.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    const progress: { step: Step } = { step: 'stat' };
    try {
      const outcome = await untilAborted(canary(check, deadline.signal, progress), deadline.signal);
      const details = { ...outcome.timings, freeBytes: outcome.freeBytes, totalBytes: outcome.totalBytes };
      const base = { startedAt, latencyMs: outcome.canaryMs, details };
      const shortage = describeShortage(outcome.freeBytes, outcome.totalBytes, check.minFree);
      if (shortage) return degraded(check, { ...base, message: shortage });
      return up(check, {
        ...base,
        message: `canary written, synced, read back and removed in ${formatLatency(outcome.canaryMs)}, ${formatBytes(outcome.freeBytes)} free`,
      });
    } catch (error) {
      const details = { step: progress.step };
      if (deadline.signal.aborted) {
        return down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs, 'no answer from the file system'), details });
      }
      return down(check, { startedAt, message: error instanceof Failure ? error.message : describeNetError(error), details });
    } finally {
      deadline.dispose();
    }
  },
};

interface CanaryOutcome {
  timings: { writeMs: number; fsyncMs: number; readMs: number; deleteMs: number };
  canaryMs: number;
  freeBytes: number;
  totalBytes: number;
}

async function canary(check: FilesystemCheck, signal: AbortSignal, progress: { step: Step }): Promise<CanaryOutcome> {
  const info = await stat(check.path);
  if (!info.isDirectory()) throw new Failure('path is not a folder');

  const file = join(check.path, `.statuspost-canary-${check.id}-${randomBytes(6).toString('hex')}`);
  const content = randomBytes(check.canaryBytes);
  let handle: FileHandle | undefined;
  let created = false;
  const timed = async <T>(step: Step, action: () => Promise<T>): Promise<[T, number]> => {
    signal.throwIfAborted(); // after a deadline, a late-returning call starts nothing new
    progress.step = step;
    const t0 = performance.now();
    const value = await action();
    return [value, roundMs(performance.now() - t0)];
  };
  try {
    const [, writeMs] = await timed('write', async () => {
      handle = await open(file, 'wx'); // exclusive: never overwrite a file that is not ours
      created = true;
      await handle.writeFile(content);
    });
    const [, fsyncMs] = await timed('fsync', async () => {
      await handle!.sync();
      await handle!.close();
      handle = undefined;
    });
    // Read back through the client's cache: this proves the mount serves what it accepted; fsync
    // above is what proves the server stored it.
    const [back, readMs] = await timed('read', () => readAtMost(file, check.canaryBytes + 1));
    if (!back.equals(content)) throw new Failure('canary read back differs from what was written');
    const [, deleteMs] = await timed('delete', () => unlink(file));
    created = false;
    const [space] = await timed('statfs', () => statfs(check.path));
    return {
      timings: { writeMs, fsyncMs, readMs, deleteMs },
      canaryMs: roundMs(writeMs + fsyncMs + readMs + deleteMs),
      freeBytes: space.bavail * space.bsize,
      totalBytes: space.blocks * space.bsize,
    };
  } finally {
    // Runs even after the deadline, whenever the stuck call returns.
    await (handle as FileHandle | undefined)?.close().catch(() => undefined);
    if (created) await unlink(file).catch(() => undefined); // already failing; the first error is the one reported
  }
}

async function readAtMost(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function describeShortage(freeBytes: number, totalBytes: number, minFree: BytesOrRatio | undefined): string | undefined {
  if (minFree === undefined) return undefined;
  if ('bytes' in minFree) {
    return freeBytes < minFree.bytes ? `free space ${formatBytes(freeBytes)}, below the floor of ${formatBytes(minFree.bytes)}` : undefined;
  }
  if (totalBytes === 0 || freeBytes / totalBytes >= minFree.ratio) return undefined;
  const percent = Math.floor((freeBytes * 100) / totalBytes);
  return `free space ${formatBytes(freeBytes)} (${percent}%), below the floor of ${Number((minFree.ratio * 100).toFixed(2))}%`;
}

