// `statuspost list`: the incidents and windows, their state now, so the engineer can find the slug.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorToJson, type StatuspostError } from '../../errors.ts';
import { listPostFiles } from '../../posts/files.ts';
import { parsePost } from '../../posts/load.ts';
import { byStartDescending, listedPost, type ListedPost } from '../../posts/listing.ts';
import { formatZoned } from '../../posts/time.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, printProblems, table } from '../output.ts';
import { loadProject } from '../post-edit.ts';

export const listCommand: Command = {
  summary: 'list incidents and maintenance windows with their state and slug',
  usage: `Usage: statuspost list [--open] [--drafts] [--root DIR] [--json]

Lists every incident and maintenance window, newest first: kind, slug, state now (incidents:
investigating, identified, monitoring, resolved; windows: scheduled, in progress, overrunning,
completed, cancelled; "draft" added for drafts), start and last update on the post's clock, and file.
Each post is read on its own, so one file with problems hides no other; those files are named on
standard error.

  --open       only what is still being dealt with: incidents not resolved, windows not over
  --drafts     only drafts
  --root DIR   the project folder (default: the current folder)
  --json       print one JSON document: {posts: [{kind, slug, title, state, draft, open, start,
               lastUpdate, timezone, file}], problems: [{code, message, file, line, column, hint}]}
               with times in UTC (ISO 8601)

Exit codes: 0 listed, 1 listed but some files have problems, 2 bad usage.`,
  async run(argv) {
    const args = parseCommandArgs('list', argv, { open: { type: 'boolean', default: false }, drafts: { type: 'boolean', default: false } });
    const output = createOutput(args.json);
    const now = Date.now();
    const project = await loadProject(args.root, (text) => output.error(text), now);
    const listing = await listPostFiles(args.root);
    const problems: StatuspostError[] = [...listing.problems];
    const rows: ListedPost[] = [];
    for (const entry of listing.files) {
      const text = await readFile(join(args.root, entry.file), 'utf8');
      const parsed = parsePost(entry.kind, entry.file, text, { siteTimezone: project.siteTimezone });
      problems.push(...parsed.problems);
      if (parsed.post && parsed.problems.length === 0) rows.push(listedPost(parsed.post.post, now));
    }
    const shown = rows.filter((row) => (!args.values.open || row.open) && (!args.values.drafts || row.draft)).sort(byStartDescending);
    if (args.json) {
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      output.data({ posts: shown.map((row) => ({ ...row, start: iso(row.start), lastUpdate: iso(row.lastUpdate) })), problems: problems.map(errorToJson) });
    } else {
      const when = (ms: number | null, zone: string) => (ms === null ? '-' : formatZoned(ms, zone).replace('T', ' ').replace(/:\d{2}([+-]\d{2}:\d{2}|Z)$/, ' $1'));
      if (shown.length === 0) output.line(args.values.open || args.values.drafts ? `no ${args.values.drafts ? 'draft' : 'open'} posts${args.values.open && args.values.drafts ? ' (open drafts)' : ''}` : 'no posts yet');
      else {
        output.line(
          table([
            ['KIND', 'SLUG', 'STATE', 'START', 'LAST UPDATE', 'FILE'],
            ...shown.map((row) => [row.kind, row.slug, row.draft ? `${row.state}, draft` : row.state, when(row.start, row.timezone), when(row.lastUpdate, row.timezone), row.file]),
          ]),
        );
      }
      if (problems.length > 0) {
        printProblems(output, problems);
        output.error(`${plural(problems.length, 'problem')}: the files named are not listed; \`statuspost check\` lists the same`);
      }
    }
    return problems.length > 0 ? ExitCode.problemsFound : ExitCode.ok;
  },
};
