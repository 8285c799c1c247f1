// `statuspost postmortem` through the built CLI on an incident with results recorded in its store:
// the impact it writes equals what the status model computes for the same window.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POSTMORTEM_PLACEHOLDERS } from '../../src/postmortem/placeholders.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { formatError } from '../../src/errors.ts';
import { checkTimeline, componentTimeline } from '../../src/status/timeline.ts';
import { uptimeOver } from '../../src/status/uptime.ts';
import { statuspost } from '../helpers/cli.ts';
import { CONFIRM, GAP_LIMIT_MS, M, POST_ZONE, seededProject } from './project.ts';

const RULE = { partialAt: 1, majorAt: 'all' as const };

describe('statuspost postmortem', () => {
  it('writes impact minutes equal to the status model\'s, "no data" where nothing was measured, and a timeline in time order in both zones', async () => {
    const { root, file, slug, start, end, results } = await seededProject();
    const ran = await statuspost(['postmortem', slug, '--root', root, '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const out = JSON.parse(ran.stdout);
    expect(out).toMatchObject({ file, slug, action: 'written', window: { from: new Date(start).toISOString(), to: new Date(end).toISOString(), open: false } });

    // The status model, by hand: each check's confirmed timeline, the component's, then uptimeOver.
    const model = (checks: string[]) => {
      const timelines = checks.map((id) => checkTimeline(results.get(id) ?? [], { confirm: CONFIRM, gapLimitMs: GAP_LIMIT_MS }, start, end));
      return uptimeOver(componentTimeline(timelines, RULE, start, end), start, end);
    };
    const byId = Object.fromEntries(out.impact.map((c: { id: string }) => [c.id, c]));
    const chat = model(['chat-1', 'chat-2']);
    const cache = model(['cache-1']);
    const database = model(['db-1']);
    expect(byId.chat.ms).toEqual(chat.ms);
    expect(byId.cache.ms).toEqual(cache.ms);
    expect(byId.database.ms).toEqual(database.ms);
    // The figures are not trivially zero: chat was down, cache has a gap, database has nothing.
    expect(chat.ms.major_outage).toBeGreaterThan(5 * M);
    expect(chat.ms.partial_outage).toBeGreaterThan(20 * M);
    expect(cache.ms.no_data).toBeGreaterThan(10 * M);
    expect(database.coverage).toBe(0);
    expect(byId.chat.sawIt).toEqual({ checks: ['chat-1', 'chat-2'], locations: ['dc1'] });
    expect(byId.cache.sawIt).toEqual({ checks: [], locations: [] });

    const text = await readFile(join(root, file), 'utf8');
    const minutes = (ms: number) => (Math.round(ms / 6_000) / 10).toFixed(1);
    const section = (name: string) => text.slice(text.indexOf(`### ${name}\n`), text.indexOf('\n### ', text.indexOf(`### ${name}\n`) + 1) >>> 0);
    expect(section('Chat')).toContain(`| Major outage | ${minutes(chat.ms.major_outage)} |`);
    expect(section('Chat')).toContain(`| Partial outage | ${minutes(chat.ms.partial_outage)} |`);
    expect(section('Cache')).toContain(`| No data | ${minutes(cache.ms.no_data)} |`);
    expect(section('Cache')).toContain(`no data for ${minutes(cache.ms.no_data)} minutes`);
    expect(section('Database')).toContain('- No data: the checks recorded nothing during the incident');
    expect(section('Database')).toContain('| No data | 60.0 |');
    expect(text).toContain('- Seen by 2 of 2 checks (Node chat-1, Node chat-2) at 1 of 1 location (dc1).');

    // Timeline: every line in the post's zone and in UTC, in time order, updates and probes merged.
    const timeline = text.slice(text.indexOf('## Timeline'), text.indexOf('## What happened'));
    const entries = [...timeline.matchAll(/^- (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) America\/New_York \((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\): (.*)$/gm)];
    expect(entries.length).toBe(out.timeline.length);
    const utc = entries.map((e) => Date.parse(`${e[2]!.replace(' ', 'T')}Z`));
    expect(utc).toEqual([...utc].sort((a, b) => a - b));
    expect(entries.map((e) => e[3])).toEqual(expect.arrayContaining(['update (investigating): Messages are not delivered.', 'Node chat-1: first failing result (down)', 'Node chat-1: confirmed down']));
    const firstFailing = entries.find((e) => e[3] === 'Node chat-1: first failing result (down)')!;
    expect(Date.parse(`${firstFailing[2]!.replace(' ', 'T')}Z`)).toBe(start - 3 * M);
    expect(firstFailing[1]).toBe(new Intl.DateTimeFormat('sv-SE', { timeZone: POST_ZONE, dateStyle: 'short', timeStyle: 'medium' }).format(start - 3 * M));
    expect(entries.some((e) => e[3]!.startsWith('Node chat-1: recovered'))).toBe(true);

    // The author's sections are prompts, and the skeleton is not published: check warns, never fails.
    for (const sentence of POSTMORTEM_PLACEHOLDERS) expect(text).toContain(sentence);
    expect(text).not.toContain('postmortemAt');
    expect(text).toContain('actionItems: []');
    const checked = await statuspost(['check', '--root', root]);
    expect(checked.code).toBe(0);
    expect(checked.stderr).toContain('the postmortem (the body) has no postmortemAt, so it is not published yet');
  });

  it('measures an open incident up to now, says so, and will not publish its postmortem before the resolution', async () => {
    const { root, file, slug, start, results } = await seededProject({ open: true });
    const ran = await statuspost(['postmortem', slug, '--root', root, '--json']);
    expect(ran.code).toBe(0);
    const out = JSON.parse(ran.stdout);
    expect(out.window).toMatchObject({ from: new Date(start).toISOString(), open: true });
    const to = Date.parse(out.window.to);
    const timelines = ['chat-1', 'chat-2'].map((id) => checkTimeline(results.get(id)!, { confirm: CONFIRM, gapLimitMs: GAP_LIMIT_MS }, start, to));
    expect(out.impact[0].ms).toEqual(uptimeOver(componentTimeline(timelines, RULE, start, to), start, to).ms);
    const text = await readFile(join(root, file), 'utf8');
    expect(text).toContain('and was still open when this was measured');
    let written = text;
    for (const sentence of POSTMORTEM_PLACEHOLDERS) written = written.replace(sentence, 'Written.');
    await writeFile(join(root, file), written);
    const refused = await statuspost(['postmortem', slug, '--publish', '--root', root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/:\d+:\d+  postmortemAt: a postmortem needs a resolved incident \[SP_POST_INVALID\]/);
    expect(await readFile(join(root, file), 'utf8')).toBe(written);
  });

  it('refuses to overwrite a body without --force, leaving the file byte-identical, and replaces it with --force', async () => {
    const { root, file, slug } = await seededProject({ body: 'Our own notes, not to be lost.' });
    const before = await readFile(join(root, file));
    const refused = await statuspost(['postmortem', slug, '--root', root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`${file}:22:1  the incident has a postmortem already (1 line below the front matter); nothing was written [SP_POST_EXISTS]\n  hint: edit it where it is, or run again with --force to replace it with a fresh skeleton (its text is lost)\n`);
    expect((await readFile(join(root, file))).equals(before)).toBe(true);

    const forced = await statuspost(['postmortem', slug, '--root', root, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`replaced the postmortem of ${file}`);
    const after = await readFile(join(root, file), 'utf8');
    expect(after).not.toContain('Our own notes');
    expect(after).toContain('## Impact');
  });

  it('publishes only a postmortem with no prompt left, and validates its action items with positions', async () => {
    const { root, file, slug } = await seededProject();
    expect((await statuspost(['postmortem', slug, '--root', root])).code).toBe(0);
    const skeleton = await readFile(join(root, file));
    const early = await statuspost(['postmortem', slug, '--publish', '--root', root]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/:\d+:1  the postmortem still holds the prompt "Describe what people saw/);
    expect((await readFile(join(root, file))).equals(skeleton)).toBe(true);

    let text = skeleton.toString('utf8');
    for (const sentence of POSTMORTEM_PLACEHOLDERS) text = text.replace(sentence, 'Written by the on-call engineer.');
    const bad = text.replace('actionItems: []', 'actionItems:\n  - title: Alert at 80% memory\n    owner: ops\n    due: 2026-02-30');
    await writeFile(join(root, file), bad);
    const line = bad.split('\n').findIndex((row) => row.includes('due: 2026-02-30')) + 1;
    const { problems } = await loadPosts({ root, componentIds: ['chat', 'cache', 'database'], siteTimezone: 'Europe/Paris' });
    expect(problems.map(formatError)).toContainEqual(expect.stringMatching(new RegExp(`^${file.replaceAll('.', '\\.')}:${line}:10  actionItems\\.0\\.due: "2026-02-30" is not a real date: that month has 28 days`)));
    const refused = await statuspost(['postmortem', slug, '--publish', '--root', root]);
    expect(refused.code).toBe(1);
    expect(await readFile(join(root, file), 'utf8')).toBe(bad);

    await writeFile(join(root, file), bad.replace('due: 2026-02-30', 'due: 2026-03-02'));
    const published = await statuspost(['postmortem', slug, '--publish', '--root', root, '--json']);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    const { posts } = await loadPosts({ root, componentIds: ['chat', 'cache', 'database'], siteTimezone: 'Europe/Paris' });
    const incident = posts.find((p) => p.slug === slug);
    expect(incident).toMatchObject({ postmortemAt: Date.parse(JSON.parse(published.stdout).postmortemAt), actionItems: [{ title: 'Alert at 80% memory', owner: 'ops', due: '2026-03-02', done: false }] });
    // Published once: a second --publish keeps the first publication time.
    const once = await readFile(join(root, file));
    const again = await statuspost(['postmortem', slug, '--publish', '--root', root]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the postmortem was published already, at ');
    expect((await readFile(join(root, file))).equals(once)).toBe(true);
  });
});
