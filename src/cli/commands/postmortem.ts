// `statuspost postmortem SLUG`: writes the postmortem skeleton into the incident's Markdown body,
// with its impact and timeline measured from the store; `--publish` sets postmortemAt once the
// author has replaced every prompt. The post is written through editPost: validated with every
// other post, atomically, under the post's lock, byte-identical when refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { amendPost, setKey } from '../../posts/amend.ts';
import { loadPosts, parsePost, splitFrontMatter } from '../../posts/load.ts';
import { formatZoned } from '../../posts/time.ts';
import { pickPost } from '../../posts/find.ts';
import type { Incident } from '../../posts/types.ts';
import { editPost } from '../../posts/write.ts';
import { measureIncident } from '../../postmortem/gather.ts';
import { POSTMORTEM_PLACEHOLDERS, placeholdersIn } from '../../postmortem/placeholders.ts';
import { minutes, renderSkeleton } from '../../postmortem/render.ts';
import { openStore } from '../../store/open.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { isMap, isPair, isScalar, type Document } from 'yaml';

const ACTION_ITEMS_COMMENT = ' actionItems: one per change, e.g. - { title: Alert on maxclients at 80%, owner: ops, due: 2026-12-15, done: false }';

export const postmortemCommand: Command = {
  summary: 'write an incident\'s postmortem skeleton with its measured impact and timeline',
  usage: `Usage: statuspost postmortem SLUG [--force] [--root DIR] [--json]
       statuspost postmortem SLUG --publish [--root DIR] [--json]

Writes the postmortem skeleton into the incident's Markdown body (content/incidents/SLUG.md):
  Impact     for each affected component, the minutes in each status during the incident (start to
             resolution, or to now while it is open) as its checks measured them, by the uptime
             page's time-weighted rules; "no data" where the checks recorded nothing; the uptime of
             the day and of the 30 days with and without the incident; which checks and locations saw it
  Timeline   the incident's updates and the probes' confirmed changes (first failing result,
             confirmation, recovery) in time order, each in the post's zone and in UTC
  What happened / Why it happened / What we are changing: prompts for the author
and adds an empty actionItems: list to the front matter (title, owner, due: YYYY-MM-DD, done).

The skeleton is not published: the page, the feeds and the API show a postmortem only once it has
postmortemAt. When it is written, --publish sets postmortemAt to now (in the post's zone, to the
second), after checking that no prompt is left and that the incident is resolved.

  --force      replace a body that is there already (its text is lost, and postmortemAt is removed
               so the fresh skeleton is not published); without it an existing body is never touched
  --publish    set postmortemAt: the postmortem goes out with the next build
  --root DIR   the project folder (default: the current folder)
  --json       print one JSON document: { file, slug, action, window, impact, timeline } or { file, slug, action, postmortemAt }

Exit codes: 0 written, 1 the body exists (without --force), a prompt is left, the incident is not
found or the post would be invalid (the file is then byte-identical), 2 bad usage, 3 the store
cannot be opened or another command holds the post.`,
  async run(argv) {
    const args = parseCommandArgs('postmortem', argv, { force: { type: 'boolean', default: false }, publish: { type: 'boolean', default: false } }, true);
    const [slug, ...stray] = args.positionals;
    if (slug === undefined) throw new StatuspostError('SP_USAGE', 'postmortem: name the incident: `statuspost postmortem SLUG`', { hint: 'the slug is the file name without .md, e.g. 2026-12-01-chat-node-down' });
    if (stray.length > 0) throw new StatuspostError('SP_USAGE', `postmortem: unexpected argument "${stray[0]}"`, { hint: 'give one slug' });
    if (args.values.force === true && args.values.publish === true) throw new StatuspostError('SP_USAGE', 'postmortem: --force and --publish do not go together', { hint: 'write the skeleton first, edit it, then publish it' });
    const output = createOutput(args.json);

    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const context = { root: args.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone };
    const loaded = await loadPosts(context);
    if (loaded.problems.length > 0) throw new ProblemsError(loaded.problems);
    const incidents = [...loaded.posts, ...loaded.drafts].filter((p): p is Incident => p.kind === 'incident');
    // The same lookup as update/resolve/publish: the whole slug, the slug without its date, or its start.
    const picked = pickPost(incidents.map((p) => ({ kind: 'incident' as const, file: p.file, size: 0 })), slug, 'postmortem');
    const incident = incidents.find((p) => p.file === picked.file)!;
    const file = incident.file;

    if (args.values.publish === true) {
      const now = Math.floor(Date.now() / 1000) * 1000;
      const stamp = formatZoned(now, incident.timezone);
      const validated = validatedIn(file, config.site.timezone);
      const written = await editPost(context, file, (text) => {
        const current = validated(text);
        if (current.postmortemAt !== null) {
          throw new StatuspostError('SP_POST_EXISTS', `the postmortem was published already, at ${formatZoned(current.postmortemAt, incident.timezone)}; nothing was written`, {
            at: { file },
            hint: 'edit its text where it is: the next build shows the change, and postmortemAt keeps the first publication time',
          });
        }
        const body = splitFrontMatter(text)?.body ?? '';
        if (body.trim() === '') throw new StatuspostError('SP_POST_INVALID', `${file} has no postmortem to publish; nothing was written`, { at: { file }, hint: `run \`statuspost postmortem ${incident.slug}\` to write the skeleton first` });
        const left = placeholdersIn(body);
        if (left.length > 0) {
          throw new ProblemsError([
            ...left.map((sentence) => new StatuspostError('SP_POST_INVALID', `the postmortem still holds the prompt "${sentence}"`, { at: positionOf(file, text, sentence), hint: 'replace it with what you know' })),
            new StatuspostError('SP_POST_INVALID', `nothing was written: ${file} is as it was`, { at: { file } }),
          ]);
        }
        return amendPost(file, text, { frontMatter: (doc) => setKey(doc, 'postmortemAt', stamp) });
      });
      if (args.json) output.data({ file: written.file, slug: incident.slug, action: 'published', postmortemAt: new Date(now).toISOString() });
      else output.line(`published the postmortem of ${incident.slug}: postmortemAt: ${stamp} written to ${file}; it goes out with the next build`);
      return ExitCode.ok;
    }

    // Refused before the store is opened; checked again under the lock, where it counts.
    const refuseExisting = (text: string) => {
      const body = splitFrontMatter(text)?.body ?? '';
      if (body.trim() !== '' && args.values.force !== true) {
        const lines = body.trim().split('\n').length;
        throw new StatuspostError('SP_POST_EXISTS', `the incident has a postmortem already (${lines} ${lines === 1 ? 'line' : 'lines'} below the front matter); nothing was written`, {
          at: { file, line: lineOf(text, body) },
          hint: 'edit it where it is, or run again with --force to replace it with a fresh skeleton (its text is lost)',
        });
      }
      return body.trim() !== '';
    };
    refuseExisting(await readFile(join(args.root, file), 'utf8'));

    const now = Date.now();
    const store = await openStore(config.site.store, args.root);
    let measured;
    try {
      await store.migrate();
      measured = await measureIncident(store, config, loaded.posts, incident, now);
    } finally {
      await store.close();
    }
    const skeleton = renderSkeleton(measured.skeleton);
    let replaced = false;
    let unpublished = false;
    const written = await editPost(context, file, (text) =>
      amendPost(file, text, {
        frontMatter: (doc) => {
          replaced = refuseExisting(text);
          if (doc.has('postmortemAt')) {
            setKey(doc, 'postmortemAt', undefined); // a fresh skeleton is never published
            unpublished = true;
          }
          if (!doc.has('actionItems')) addActionItems(doc);
        },
        body: () => `\n${skeleton}`,
      }),
    );

    const components = measured.impact.map((c) => ({
      id: c.id,
      name: c.name,
      ms: c.window.ms,
      minutes: Object.fromEntries(Object.entries(c.window.ms).map(([k, v]) => [k, minutes(v)])),
      coverage: c.window.coverage,
      days: c.days,
      period: c.period,
      measuredBy: c.measuredBy,
      sawIt: c.sawIt,
    }));
    if (args.json) {
      output.data({
        file: written.file,
        slug: incident.slug,
        action: replaced ? 'replaced' : 'written',
        unpublished,
        window: { from: new Date(measured.window.from).toISOString(), to: new Date(measured.window.to).toISOString(), open: incident.resolvedAt === null },
        impact: components,
        timeline: measured.timeline.map((e) => ({ ...e, at: new Date(e.at).toISOString(), ...(e.source === 'probe' && e.confirmedAt !== undefined ? { confirmedAt: new Date(e.confirmedAt).toISOString() } : {}) })),
        placeholders: [...POSTMORTEM_PLACEHOLDERS],
      });
      return ExitCode.ok;
    }
    output.line(`${replaced ? 'replaced the postmortem of' : 'wrote the postmortem skeleton into'} ${file}${unpublished ? ' (postmortemAt removed: the fresh skeleton is not published)' : ''}`);
    output.line(`  window: ${minutes(measured.window.to - measured.window.from)} minutes${incident.resolvedAt === null ? ', still open: measured up to now' : ''}`);
    for (const c of measured.impact) {
      const m = c.window.ms;
      const coverage = c.window.coverage === 0 ? 'no data' : `${Math.round(c.window.coverage * 1000) / 10}% measured`;
      output.line(`  ${c.id}: major ${minutes(m.major_outage)} min, partial ${minutes(m.partial_outage)} min, degraded ${minutes(m.degraded_performance)} min, no data ${minutes(m.no_data)} min (${coverage}); seen by ${c.sawIt.checks.length} check(s) at ${c.sawIt.locations.length} location(s)`);
    }
    output.line(`  timeline: ${measured.timeline.length} entries (updates and probe events)`);
    output.line(`next: replace the prompts under What happened, Why it happened and What we are changing, add actionItems:, then run \`statuspost postmortem ${incident.slug} --publish\``);
    return ExitCode.ok;
  },
};

/** The incident as the loader reads `text` (the file under the lock, which a concurrent command may have changed). */
function validatedIn(file: string, siteTimezone: string) {
  return (text: string): Incident => {
    const { post } = parsePost('incident', file, text, { siteTimezone });
    if (!post || post.post.kind !== 'incident') throw new StatuspostError('SP_POST_INVALID', `${file} is not a valid incident; nothing was written`, { at: { file }, hint: 'run `statuspost check` and fix it first' });
    return post.post;
  };
}

/** An empty actionItems: list with a comment showing the shape of an item. */
function addActionItems(doc: Document): void {
  if (!isMap(doc.contents)) return;
  const pair = doc.createPair('actionItems', []);
  if (isPair(pair) && isScalar(pair.key)) pair.key.commentBefore = ACTION_ITEMS_COMMENT;
  doc.contents.items.push(pair as never);
}

/** The 1-based line of `part` in `text` (its first non-empty line), for positions in the body. */
function lineOf(text: string, part: string): number {
  const index = text.indexOf(part.trimStart());
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

function positionOf(file: string, text: string, sentence: string): { file: string; line: number; column: number } {
  const index = text.indexOf(sentence);
  if (index < 0) return { file, line: 1, column: 1 };
  const before = text.slice(0, index).split('\n');
  return { file, line: before.length, column: before.at(-1)!.length + 1 };
}
