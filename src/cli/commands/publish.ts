// `statuspost publish SLUG`: a draft goes public once it holds no placeholder and validates.
import { amendPost, setKey } from '../../posts/amend.ts';
import { PostRefused } from '../../posts/write.ts';
import { publishProblems } from '../../posts/changes.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { changePost, loadProject, onePositional, reportWritten } from '../post-edit.ts';

export const publishCommand: Command = {
  summary: 'publish a draft: remove draft: true after a last validation',
  usage: `Usage: statuspost publish SLUG [--root DIR] [--json]

Removes draft: true from the post SLUG, so the next build (or the running daemon) publishes it on the
site, the feeds, the API, the banner and the calendar. Refused while the post still holds placeholder
text that \`statuspost new\` wrote (each named at its line), and unless the post, without the flag,
is valid with every other post as the build validates it.

  --root DIR   the project folder (default: the current folder)
  --json       print {written, file, slug, kind, draft} instead

Exit codes: 0 written, 1 refused (not a draft, placeholder text left) or the posts have problems (the
file is byte-identical), 2 bad usage (an unknown slug), 3 another command held the post past 10 s.`,
  async run(argv) {
    const args = parseCommandArgs('publish', argv, {}, true);
    const slug = onePositional('publish', args.positionals);
    const project = await loadProject(args.root);
    const written = await changePost(project, slug, 'publish', (item, text) => {
      const problems = publishProblems(item, text);
      if (problems.length > 0) throw new PostRefused(item.post.file, problems);
      return amendPost(item.post.file, text, { frontMatter: (doc) => setKey(doc, 'draft', undefined) });
    });
    reportWritten(createOutput(args.json), written, 'published (draft: true removed); the next build shows it', {});
    return ExitCode.ok;
  },
};
