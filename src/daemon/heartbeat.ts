// A heartbeat file for supervisors and humans: when the daemon last probed and published, written
// atomically (a temporary file renamed over the old one), so a reader never sees half of it.
import { rename, writeFile } from 'node:fs/promises';
import { makeFolder } from '../make-folder.ts';
import { dirname } from 'node:path';

export interface Heartbeat {
  pid: number;
  startedAt: string;
  writtenAt: string;
  lastResultAt: string | null;
  lastPublishAt: string | null;
  lastPublishError: string | null;
  /** The overall status last computed; while publishing fails, the site still shows an older one. */
  status: string | null;
  /** Whether the published site shows `status` (false while publishing fails, and before the first publish). */
  statusPublished: boolean;
  buffered: number;
  /** A publisher candidate with a lease (src/locations/lease.ts): its holder id and token while it holds it (null: another publishes). */
  lease?: { holder: string; token: number | null };
}

export async function writeHeartbeat(path: string, beat: Heartbeat): Promise<void> {
  await makeFolder(dirname(path));
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(beat, null, 1)}\n`);
  await rename(temporary, path);
}
