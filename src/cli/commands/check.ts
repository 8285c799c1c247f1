// `statuspost check`: validate probes/ (and, once posts exist, content/) and list every problem.
import { loadConfig } from '../../config/load.ts';
import { loadPosts } from '../../posts/load.ts';
import { errorToJson } from '../../errors.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, printProblems } from '../output.ts';

export const checkCommand: Command = {
  summary: 'validate probes/ and content/ and report every problem',
  usage: `Usage: statuspost check [--root DIR] [--json]

Reads probes/site.yaml, probes/components.yaml, probes/checks/*.yaml and the posts under
content/incidents/ and content/maintenance/ (.md or .markdown, subfolders too), and prints every
problem as "file:line:column  field: what is wrong [CODE]" with a hint. Warnings (a file skipped, a
time ahead of the clock) are printed too but leave the exit code 0. Drafts (draft: true) are checked
like every post and listed: they are published nowhere until \`statuspost publish SLUG\`.
Nothing is published or changed.

  --root DIR   the project folder (default: the current folder)
  --json       print one JSON document: { ok, files, drafts: [{ slug, file, kind, title }], problems: [{ code, message, file, line, column, hint }], warnings: [same] }

Exit codes: 0 no problem, 1 problems found, 2 bad usage.`,
  async run(argv) {
    const args = parseCommandArgs('check', argv, {});
    const output = createOutput(args.json);
    const loaded = await loadConfig(args.root);
    const { config } = loaded;
    const posts = await loadPosts({
      root: args.root,
      componentIds: config?.components.map((component) => component.id),
      siteTimezone: config?.site.timezone ?? 'UTC',
    });
    const problems = [...loaded.problems, ...posts.problems];
    const files = [...loaded.files, ...posts.files];
    if (args.json) {
      output.data({
        ok: problems.length === 0,
        files,
        components: config?.components.length ?? null,
        checks: config?.checks.length ?? null,
        posts: problems.length === 0 ? posts.posts.length : null,
        drafts: posts.drafts.map((post) => ({ slug: post.slug, file: post.file, kind: post.kind, title: post.title })),
        problems: problems.map(errorToJson),
        warnings: posts.warnings.map(errorToJson),
      });
      return problems.length === 0 ? ExitCode.ok : ExitCode.problemsFound;
    }
    // Warnings come first and never change the exit code: the posts are valid, and publishable.
    printProblems(output, posts.warnings);
    if (problems.length > 0) {
      printProblems(output, problems);
      output.error(`${plural(problems.length, 'problem')} in ${plural(files.length, 'file')}. Nothing was published or changed.`);
      return ExitCode.problemsFound;
    }
    for (const draft of posts.drafts) output.line(`draft, not published: ${draft.file}  ${draft.title}`);
    output.line(
      `ok: ${plural(files.length, 'file')}, ${plural(config!.components.length, 'component')}, ${plural(config!.checks.length, 'check')}, ${plural(posts.posts.length, 'post')}${posts.drafts.length > 0 ? ` and ${plural(posts.drafts.length, 'draft')}` : ''}, no problems` +
        (posts.warnings.length > 0 ? `, ${plural(posts.warnings.length, 'warning')}` : ''),
    );
    return ExitCode.ok;
  },
};
