// The demo always has an upcoming maintenance to show: when content/ holds none, it schedules one for
// the next Saturday 22:00 (site time) at least two days away, written exactly as `statuspost new` would.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../config/load.ts';
import { composePost } from '../posts/compose.ts';
import { loadPosts } from '../posts/load.ts';
import { maintenanceState } from '../posts/state.ts';
import { zonedParts, zonedToUtc } from '../posts/time.ts';

export const DEMO_MAINTENANCE_TITLE = 'Chat node security patching';

export async function ensureUpcomingMaintenance(config: Config, now: number): Promise<string | undefined> {
  const { posts, problems } = await loadPosts({
    root: config.root,
    componentIds: config.components.map((c) => c.id),
    siteTimezone: config.site.timezone,
  });
  if (problems.length > 0) return undefined; // `statuspost check` reports them; the demo does not add to them
  const pending = posts.some((post) => post.kind === 'maintenance' && ['upcoming', 'in_progress'].includes(maintenanceState(post, now)));
  if (pending) return undefined;

  const zone = config.site.timezone;
  const start = nextSaturdayEvening(now, zone);
  const component = config.components.find((c) => c.id === 'chat-nodes')?.id ?? config.components[0]!.id;
  const { file, text } = composePost({
    kind: 'maintenance',
    title: DEMO_MAINTENANCE_TITLE,
    zone,
    start,
    durationText: '30m',
    announcedAt: now,
    components: [component],
    affected: 'Each chat node restarts in turn; your client reconnects once, within a few seconds, and may show "reconnecting".',
    unaffected: 'Sign-in, message history and file uploads keep working; no messages are lost.',
    signInBlocked: false,
    body: 'We apply operating system security updates to the three chat nodes, one at a time, so two always carry the load.',
  });
  const path = join(config.root, file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error; // the same window was scheduled already
  });
  return file;
}

function nextSaturdayEvening(now: number, zone: string): number {
  for (let days = 2; days < 10; days++) {
    const { year, month, day } = zonedParts(now + days * 86_400_000, zone);
    if (new Date(Date.UTC(year, month - 1, day)).getUTCDay() !== 6) continue;
    const start = zonedToUtc({ year, month, day, hour: 22, minute: 0, second: 0 }, zone);
    if (typeof start === 'number') return start;
  }
  return now + 7 * 86_400_000; // unreachable: every week has a Saturday with a 22:00
}
