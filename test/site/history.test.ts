// The history archive's pure part: what has happened by `now`, by month in the site's zone, one
// component at a time. Times are taken from the clock at run time and placed relative to it.
import { describe, expect, it } from 'vitest';
import type { SiteIncident, SiteMaintenance } from '../../src/site/data.ts';
import { archiveOf, componentHistory, componentsTouched, historyEntries, historyMonths } from '../../src/site/history.ts';
import type { Snapshot } from '../../src/status/snapshot.ts';
import { durationWords, historyPhrases } from '../../src/site/phrases.ts';
import { maintenanceState } from '../../src/posts/state.ts';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const NOW = Date.now();

const incident = (slug: string, startedAt: number, resolvedAt: number | null, components = ['cache']): SiteIncident => ({
  slug,
  title: `Incident ${slug}`,
  impact: 'major',
  timezone: 'UTC',
  startedAt,
  resolvedAt,
  status: resolvedAt === null ? 'investigating' : 'resolved',
  components: components.map((id) => ({ id, name: id.toUpperCase(), status: 'partial_outage' as const })),
  updates: [],
  postmortemAt: null,
  postmortemHtml: null,
  signInBlocked: false,
  actionItems: [],
  chart: null,
});

const window = (slug: string, startsAt: number, endsAt: number, extra: { cancelled?: boolean; completedAt?: number | null; components?: string[] } = {}): SiteMaintenance => ({
  slug,
  title: `Window ${slug}`,
  timezone: 'UTC',
  // The state as the build computes it at NOW, from the same function.
  state: maintenanceState({ cancelled: extra.cancelled ?? false, startsAt, endsAt, completedAt: extra.completedAt ?? null }, NOW),
  announcedAt: startsAt - 7 * DAY,
  startsAt,
  endsAt,
  completedAt: extra.completedAt ?? null,
  components: (extra.components ?? ['chat-nodes']).map((id) => ({ id, name: id.toUpperCase() })),
  affected: '',
  unaffected: null,
  signInBlocked: false,
  updateRequired: null,
  updates: [],
  html: '',
});

const monthOf = (ms: number, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' }).format(ms).slice(0, 7);

describe('site/history', () => {
  const data = {
    incidents: [incident('resolved', NOW - 3 * DAY, NOW - 3 * DAY + 95 * MIN, ['cache', 'chat-nodes']), incident('open', NOW - 2 * H, null)],
    maintenance: [
      window('done', NOW - 10 * DAY, NOW - 10 * DAY + 2 * H, { completedAt: NOW - 10 * DAY + 45 * MIN }),
      window('now', NOW - 30 * MIN, NOW + 30 * MIN),
      window('ahead', NOW + 5 * DAY, NOW + 5 * DAY + H),
      window('called-off', NOW - 4 * DAY, NOW - 4 * DAY + H, { cancelled: true }),
    ],
  };

  it('lists what has started by now, newest first, and nothing ahead or cancelled', () => {
    const entries = historyEntries(data, NOW);
    expect(entries.map((e) => e.slug)).toEqual(['now', 'open', 'resolved', 'done']);
  });

  it('gives each entry its impact, state, duration and the components it touched', () => {
    const bySlug = new Map(historyEntries(data, NOW).map((e) => [e.slug, e]));
    expect(bySlug.get('resolved')).toMatchObject({ impact: 'major', state: 'resolved', durationMs: 95 * MIN, path: 'incidents/resolved/', components: [{ id: 'cache', name: 'CACHE' }, { id: 'chat-nodes', name: 'CHAT-NODES' }] });
    expect(bySlug.get('open')).toMatchObject({ state: 'ongoing', durationMs: 2 * H });
    // Said done after 45 minutes of a 2-hour window: it lasted 45 minutes.
    expect(bySlug.get('done')).toMatchObject({ impact: 'maintenance', state: 'completed', durationMs: 45 * MIN, path: 'maintenance/done/' });
    expect(bySlug.get('now')).toMatchObject({ state: 'in_progress', durationMs: 30 * MIN });
    expect(historyPhrases.duration(bySlug.get('resolved')!)).toBe('lasted 1 h 35 min');
    expect(historyPhrases.duration(bySlug.get('open')!)).toBe('ongoing, 2 h so far');
    expect(historyPhrases.duration(bySlug.get('now')!)).toBe('in progress, 30 min so far');
  });

  it('a window never said done lasted its planned span', () => {
    const planned = window('planned', NOW - 5 * DAY, NOW - 5 * DAY + 3 * H);
    expect(historyEntries({ incidents: [], maintenance: [planned] }, NOW)[0]).toMatchObject({ state: 'completed', durationMs: 3 * H });
  });

  it('says a window past its planned end, never said done, is overrunning', () => {
    const late = window('late', NOW - 3 * H, NOW - 2 * H);
    const [entry] = historyEntries({ incidents: [], maintenance: [late] }, NOW);
    expect(entry).toMatchObject({ state: 'overrunning', durationMs: 3 * H, plannedMs: H });
    expect(historyPhrases.duration(entry!)).toBe('overrunning: planned for 1 h, 3 h so far');
  });

  it('leaves out what starts after now, however close', () => {
    const soon = { incidents: [incident('soon', NOW + 1, null)], maintenance: [window('soon-window', NOW + 1, NOW + H)] };
    expect(historyEntries(soon, NOW)).toEqual([]);
    // A minute later both have happened.
    expect(historyEntries(soon, NOW + MIN).map((e) => e.slug).sort()).toEqual(['soon', 'soon-window']);
  });

  it('groups by month in the site zone, not in UTC', () => {
    // Derived from the clock: the first instant of the current UTC month, an hour after it.
    const start = new Date(NOW);
    const monthStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
    const edge = { incidents: [incident('edge', monthStart + H, monthStart + 2 * H)], maintenance: [] };
    const later = Math.max(NOW, monthStart + 3 * H);
    expect(historyMonths(edge, 'UTC', later).map((m) => m.month)).toEqual([monthOf(monthStart + H, 'UTC')]);
    // In Los Angeles that instant is still the previous month.
    const la = historyMonths(edge, 'America/Los_Angeles', later).map((m) => m.month);
    expect(la).toEqual([monthOf(monthStart + H, 'America/Los_Angeles')]);
    expect(la[0]).not.toBe(monthOf(monthStart + H, 'UTC'));
  });

  it('filters by component, keeping only the months and entries that touched it', () => {
    const months = historyMonths(data, 'UTC', NOW);
    const cache = componentHistory(months, 'cache');
    expect(cache.flatMap((m) => m.entries.map((e) => e.slug))).toEqual(['open', 'resolved']);
    expect(componentHistory(months, 'chat-nodes').flatMap((m) => m.entries.map((e) => e.slug))).toEqual(['now', 'resolved', 'done']);
    expect(componentHistory(months, 'dns')).toEqual([]);
    const all = [{ id: 'dns' }, { id: 'chat-nodes' }, { id: 'cache' }];
    expect(componentsTouched(historyEntries(data, NOW), all)).toEqual([{ id: 'chat-nodes' }, { id: 'cache' }]);
  });

  it.each([
    { ms: 10_000, words: '1 min' },
    { ms: 45 * MIN, words: '45 min' },
    { ms: 2 * H, words: '2 h' },
    { ms: 2 * H + 5 * MIN, words: '2 h 5 min' },
    { ms: 3 * DAY + 4 * H + 10 * MIN, words: '3 d 4 h' },
    { ms: 2 * DAY, words: '2 d' },
  ])('says $ms ms as "$words"', ({ ms, words }) => {
    expect(durationWords(ms)).toBe(words);
  });

  it('makes a build\'s archive once, at the build\'s time and in the site\'s zone', () => {
    const snapshot = { generatedAt: new Date(NOW).toISOString(), site: { timezone: 'America/Los_Angeles' } } as unknown as Snapshot;
    const build = { ...data, snapshot };
    const months = archiveOf(build);
    expect(months).toEqual(historyMonths(data, 'America/Los_Angeles', NOW));
    expect(archiveOf(build)).toBe(months);
    // Another build (another data object) gets its own.
    expect(archiveOf({ ...build })).not.toBe(months);
  });

  it('counts a month in words', () => {
    const entries = historyEntries(data, NOW);
    expect(historyPhrases.counts(entries)).toBe('2 incidents, 2 maintenance windows');
    expect(historyPhrases.counts(entries.slice(1, 2))).toBe('1 incident');
  });
});
