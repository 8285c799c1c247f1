// Generated posts for the benchmarks: incidents and maintenance alternating, one per day, the newest a month ago,
// about 300 words each, valid against the demo's components.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const COMPONENT_IDS = ['load-balancer', 'dns', 'chat-nodes', 'database', 'cache', 'file-share', 'clock'];
const paragraph =
  'The proxies in front of the chat nodes dropped a large share of their connections at once, and every client tried to reconnect within the same few seconds. ';

function incident(i: number, day: string): string {
  const c = COMPONENT_IDS[i % COMPONENT_IDS.length]!;
  return [
    '---',
    `title: "Incident ${i}: sign-in trouble on ${c}"`,
    `impact: ${['minor', 'major', 'critical'][i % 3]}`,
    'timezone: America/Los_Angeles',
    `start: ${day}T10:05`,
    'components:',
    `  ${c}: major_outage`,
    'updates:',
    `  - at: ${day}T10:12`,
    '    status: investigating',
    '    body: We are looking into failed sign-ins.',
    `  - at: ${day}T10:40`,
    '    status: identified',
    '    body: The session cache refuses new connections; we are raising its limit.',
    `  - at: ${day}T11:40`,
    '    status: resolved',
    '    body: Sign-in works again for everyone.',
    `postmortemAt: ${day}T18:00`,
    '---',
    '## What happened',
    paragraph.repeat(6),
    '## Why',
    paragraph.repeat(5),
    '## What we are changing',
    paragraph.repeat(5),
    '',
  ].join('\n');
}

function maintenance(i: number, day: string): string {
  return [
    '---',
    `title: "Maintenance ${i}"`,
    'timezone: America/Los_Angeles',
    `announcedAt: ${day}T08:00`,
    'window:',
    `  start: ${day}T22:00`,
    '  duration: 30m',
    `components: [${COMPONENT_IDS[i % COMPONENT_IDS.length]}, database]`,
    'affected: Nobody can sign in during the window.',
    'unaffected: Signed-in users keep chatting.',
    'signInBlocked: true',
    'updates:',
    `  - at: ${day}T22:30`,
    '    status: completed',
    '    body: All done.',
    '---',
    paragraph.repeat(4),
    '',
  ].join('\n');
}

/** Writes `count` posts into content/ of `root` (a new temporary folder when not given). */
export async function generateProject(count: number, root?: string): Promise<string> {
  root ??= await mkdtemp(join(tmpdir(), 'statuspost-bench-posts-'));
  await mkdir(join(root, 'content/incidents'), { recursive: true });
  await mkdir(join(root, 'content/maintenance'), { recursive: true });
  // The newest post a month ago, so all of them are history (none dated in the future).
  const start = Math.floor(Date.now() / 86_400_000 - count - 30) * 86_400_000;
  for (let i = 0; i < count; i++) {
    // One post per day (so file names are unique and dates match), incidents and maintenance alternating.
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const kind = i % 4 === 3 ? 'maintenance' : 'incidents';
    const text = kind === 'maintenance' ? maintenance(i, day) : incident(i, day);
    await writeFile(join(root, `content/${kind}/${day}-post-${i}.md`), text);
  }
  return root;
}

