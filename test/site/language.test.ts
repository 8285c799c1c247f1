// The site in German (`statuspost build --language de`): every page's fixed text comes from the
// German messages, so no English value of the messages is left in any page once the posts' own text
// (which stays in the language it was written in), the names from probes/ and code are set aside.
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { en } from '../../src/i18n/en.ts';
import { MESSAGES } from '../../src/i18n/messages.ts';
import { renderMarkdownCached } from '../../src/posts/markdown.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { statuspost } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) =>
    name[0] === '#' ? String.fromCodePoint(Number.parseInt(name.slice(name[1] === 'x' || name[1] === 'X' ? 2 : 1), name[1] === 'x' || name[1] === 'X' ? 16 : 10)) : (ENTITIES[name] ?? whole),
  );

/**
 * What a reader reads of a page: its text and the attributes that are read out or shown (labels,
 * titles, alt text, the local-time script's words), with the posts' own HTML taken out first. Code
 * (`none`, `major_outage`) is a name, not a word, and stays out too.
 */
export function readableText(html: string, postHtml: readonly string[]): string[] {
  let page = html;
  for (const fragment of postHtml) if (fragment) page = page.split(fragment).join(' ');
  page = page.replace(/<(script|style|code|pre)\b[^>]*>[\s\S]*?<\/\1>/gi, (whole) => {
    const said = /data-your-time="([^"]*)"/.exec(whole);
    return said ? ` ${said[1]} ` : ' ';
  });
  const attributes = [...page.matchAll(/\s(?:aria-label|title|alt|placeholder)="([^"]*)"/g)].map((m) => m[1]!);
  const text = page.replace(/<title>([\s\S]*?)<\/title>/i, ' $1 ').replace(/<[^>]+>/g, '\n').split('\n');
  // A file name ("scheduled-maintenances/upcoming.json", the Statuspage API's) is an address, not a word.
  const fileName = /^[\w./-]+\.(json|xml|svg|ics|atom)$/;
  return [...text, ...attributes].map((t) => decode(t).replace(/\s+/g, ' ').trim()).filter((t) => t !== '' && !fileName.test(t));
}

/** The English words to look for: each message's text between its placeholders, unless German says the same ("RSS", "UTC:"). */
function englishPhrases(): string[] {
  const german = Object.values(MESSAGES.de).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
  const phrases = Object.values(en)
    .flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)))
    .flatMap((text) => text.split(/\{\w+\}/))
    .map((part) => part.replace(/^[\s:;,.()·—-]+|[\s:;,.()·—-]+$/g, ''))
    .filter((part) => /\p{L}{2}/u.test(part));
  return [...new Set(phrases)].filter((phrase) => !german.some((g) => wordsIn(g, phrase)));
}

const wordsIn = (text: string, phrase: string) => new RegExp(`(?<![\\p{L}\\p{N}_])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_])`, 'u').test(text);

async function htmlFiles(folder: string, under = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(folder, under), { withFileTypes: true })) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) out.push(...(await htmlFiles(folder, path)));
    else if (entry.name.endsWith('.html')) out.push(path);
  }
  return out.sort();
}

describe('the site in German', () => {
  it('builds with --language de: <html lang="de">, German dates, and no English fixed phrase on any page', async () => {
    const root = await tempDir('statuspost-german-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true });
    const ran = await statuspost(['build', '--root', root, '--language', 'de'], { timeoutMs: BUILD_MS });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const site = join(root, 'public-site');

    // What is not fixed text: the posts as written (English here), and the names and descriptions from probes/.
    const { config } = await loadConfig(root, {});
    const posts = await loadPosts({ root, componentIds: config!.components.map((c) => c.id), siteTimezone: config!.site.timezone });
    // As the build renders them: headings' self-links say "Link zu diesem Abschnitt" (checked below).
    const anchorLabel = MESSAGES.de['markdown.anchorLabel'];
    const postHtml = posts.posts.flatMap((p) => [
      ...p.updates.map((u) => renderMarkdownCached(u.body, { anchorLabel }).html),
      renderMarkdownCached(p.body, { anchorLabel }).html,
      ...(p.kind === 'incident' ? [renderMarkdownCached(p.body, { headingIdPrefix: 'pm-', anchorLabel }).html] : []),
    ]);
    const named = [
      config!.site.title,
      config!.site.description,
      ...config!.components.flatMap((c) => [c.name, c.description]),
      ...config!.groups.flatMap((g) => [g.name, g.description]),
      ...config!.checks.map((c) => c.name ?? c.id),
      ...posts.posts.flatMap((p) => [p.title, ...(p.kind === 'maintenance' ? [p.affected, p.unaffected ?? ''] : [])]),
    ]
      .filter(Boolean)
      .sort((a, b) => b.length - a.length); // "Chat nodes" before "Chat"

    const phrases = englishPhrases();
    expect(phrases).toEqual(expect.arrayContaining(['Operational', 'Partial outage', 'History', 'How uptime is computed', 'Page not found']));
    const pages = await htmlFiles(site);
    expect(pages).toEqual(expect.arrayContaining(['index.html', '404.html', 'about/uptime/index.html', 'history/index.html', 'components/chat-nodes/index.html', 'incidents/2012-10-02-redis-maxclients-sign-in-outage/index.html', 'maintenance/2012-03-24-main-database-upgrade/index.html']));
    const found: string[] = [];
    for (const page of pages) {
      const html = await readFile(join(site, page), 'utf8');
      expect(html, page).toMatch(/^<!DOCTYPE html><html lang="de"/i);
      for (let text of readableText(html, postHtml)) {
        for (const name of named) text = text.split(name).join(' ');
        for (const phrase of phrases) if (wordsIn(text, phrase)) found.push(`${page}: "${phrase}" in "${text}"`);
      }
    }
    expect(found).toEqual([]);

    // Dates by Intl in German, in the post's zone; months by name; the footer's build time.
    const incident = await readFile(join(site, 'incidents/2012-10-02-redis-maxclients-sign-in-outage/index.html'), 'utf8');
    expect(incident).toMatch(/Beginn: <time datetime="2012-10-0\d{1}T[\d:.]+Z">(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. Okt\. 2012, \d\d:\d\d /);
    expect(await readFile(join(site, 'history/2016-02/index.html'), 'utf8')).toContain('Februar 2016');
    expect(await readFile(join(site, 'index.html'), 'utf8')).toMatch(/Stand: <time datetime="[^"]+">\d\d\.\d\d\.\d{4}, \d\d:\d\d UTC<\/time>/);
    // The uptime page is the German text of docs/uptime.md; a postmortem's headings link to themselves in German.
    expect(incident).toContain('aria-label="Link zu diesem Abschnitt: ');
    expect(incident).not.toContain('Link to this section');
    const uptime = await readFile(join(site, 'about/uptime/index.html'), 'utf8');
    expect(uptime).toContain('Wie statuspost Status und Verfügbarkeit berechnet');
    // The strips' legend links to the German section on colours, which is there.
    expect(await readFile(join(site, 'index.html'), 'utf8')).toContain('href="/about/uptime/#die-farbe-eines-tages"');
    expect(uptime).toContain('id="die-farbe-eines-tages"');

    // The feeds' fixed text too; the API keeps Statuspage's English words.
    const rss = await readFile(join(site, 'rss.xml'), 'utf8');
    expect(rss).toContain('<language><![CDATA[de]]></language>');
    expect(await readFile(join(site, 'feed.atom'), 'utf8')).toContain('xml:lang="de"');
    expect(JSON.parse(await readFile(join(site, 'feed.json'), 'utf8'))).toMatchObject({ language: 'de' });
    expect(rss).toMatch(/<title><!\[CDATA\[Nachbetrachtung: /);
    expect(rss).not.toMatch(/<title><!\[CDATA\[(Postmortem|Scheduled maintenance|Cancelled|Rescheduled):/);
    expect(await readFile(join(site, 'maintenance.ics'), 'utf8')).toContain('X-WR-CALNAME:Chatter status: Wartungen');
    expect(JSON.parse(await readFile(join(site, 'badge.json'), 'utf8'))).toMatchObject({ label: 'Status' });
    const summary = JSON.parse(await readFile(join(site, 'api/v2/summary.json'), 'utf8')) as { status: { description: string }; components: Array<{ status: string }> };
    expect(Object.values(en)).toContain(summary.status.description);
    expect(summary.components.map((c) => c.status)).toEqual(expect.arrayContaining([expect.stringMatching(/^(operational|degraded_performance|partial_outage|major_outage|under_maintenance)$/)]));
  }, BUILD_MS);
});
