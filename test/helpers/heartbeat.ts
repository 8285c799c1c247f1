// The daemon's heartbeat file, read the way a supervisor would, until it says what a test expects.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Beat {
  status: string | null;
  statusPublished: boolean;
  lastPublishError: string | null;
  lastPublishAt: string | null;
}

/** The heartbeat as soon as `holds` is true of it (it is rewritten after every publish attempt). */
export async function heartbeatWhen(root: string, holds: (beat: Beat) => boolean, timeoutMs = 60_000): Promise<Beat> {
  const deadline = Date.now() + timeoutMs;
  let last: Beat | undefined;
  while (Date.now() < deadline) {
    last = (await readFile(join(root, 'data/heartbeat.json'), 'utf8').then(JSON.parse, () => undefined)) as Beat | undefined;
    if (last && holds(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the heartbeat never matched; last: ${JSON.stringify(last)}`);
}
