// A FeedContext for the pure feed functions, made by the real buildSnapshot from a small site and the
// posts given, and post factories with every field set: so a feed test states only what it is about.
import type { Incident, Maintenance, Post } from '../../src/posts/types.ts';
import type { FeedContext } from '../../src/feeds/context.ts';
import { zoneDays } from '../../src/status/component-days.ts';
import { buildSnapshot } from '../../src/status/snapshot.ts';

export const H = 3_600_000;
export const DAY = 24 * H;
export const BASE_URL = 'https://status.example.org/';

const COMPONENTS = [
  { id: 'chat-nodes', name: 'Chat nodes', essential: false },
  { id: 'balancer', name: 'Load balancer', essential: true },
  { id: 'cache', name: 'Session cache', essential: false },
  { id: 'file-share', name: 'File share', essential: false },
];

export function feedContext(now: number, posts: readonly Post[]): FeedContext {
  const snapshot = buildSnapshot({
    now,
    site: { title: 'Chatter status', description: 'Chat service status', baseUrl: BASE_URL, timezone: 'UTC' },
    groups: [],
    components: COMPONENTS.map((c) => ({ ...c, description: '', outage: { partialAt: 1, majorAt: 'all' as const } })),
    checks: [],
    current: new Map(),
    componentDays: [],
    rollups: [],
    posts,
    days: zoneDays('UTC'),
    window: 90,
  });
  return { snapshot, posts, now, baseUrl: BASE_URL };
}

export const maintenance = (slug: string, extra: Partial<Maintenance> = {}): Maintenance => ({
  kind: 'maintenance',
  slug,
  file: `content/maintenance/${slug}.md`,
  title: `Window ${slug}`,
  timezone: 'UTC',
  body: '',
  announcedAt: 0,
  startsAt: 10 * H,
  endsAt: 11 * H,
  components: ['chat-nodes'],
  affected: 'Chat pauses.',
  unaffected: null,
  signInBlocked: false,
  updateRequired: null,
  updates: [],
  cancelled: false,
  completedAt: null,
  ...extra,
});

export const incident = (slug: string, extra: Partial<Incident> = {}): Incident => ({
  kind: 'incident',
  slug,
  file: `content/incidents/${slug}.md`,
  title: `Incident ${slug}`,
  timezone: 'UTC',
  body: '',
  impact: 'minor',
  startedAt: 0,
  components: { cache: 'partial_outage' },
  updates: [{ at: 0, status: 'investigating', body: 'Looking into it.', components: {}, signInBlocked: null }],
  resolvedAt: null,
  postmortemAt: null,
  signInBlocked: false,
  ...extra,
});
