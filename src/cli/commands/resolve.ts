// `statuspost resolve SLUG`: the resolving update, stamped now, every component back to operational.
import { incidentResolution } from '../../posts/changes.ts';
import { stampTime } from '../../posts/stamp.ts';
import { STANDARD_MESSAGES } from '../../posts/wording.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { appendUpdate, changePost, hasOwnZone, loadProject, onePositional, readMessage, reportWritten, stampInstant } from '../post-edit.ts';

export const resolveCommand: Command = {
  summary: 'resolve an incident: the last update, every component operational again',
  usage: `Usage: statuspost resolve SLUG [--message TEXT|-] [--at WHEN] [--root DIR] [--json]

Appends the resolving update to the incident SLUG, stamped with the time now on the post's clock to
the second, and sets every component the incident names back to operational in it. Validated with
every other post as the build validates it, written only if valid. Prints the update as written.

  --message TEXT   what readers see (Markdown; "-" reads standard input); default:
                   "${STANDARD_MESSAGES.resolved}"
  --at WHEN        the resolution's time instead of now, on the post's clock or with an offset
  --root DIR       the project folder (default: the current folder)
  --json           print {written, file, slug, kind, draft, update} instead

Exit codes: 0 written, 1 refused (resolved already) or the posts have problems (the file is
byte-identical), 2 bad usage (an unknown slug), 3 another command held the post past 10 s.`,
  async run(argv) {
    const args = parseCommandArgs('resolve', argv, { message: { type: 'string' }, at: { type: 'string' } }, true);
    const slug = onePositional('resolve', args.positionals);
    const message = await readMessage(typeof args.values.message === 'string' ? args.values.message : undefined, undefined);
    const project = await loadProject(args.root);
    let update: Record<string, unknown> = {};
    const written = await changePost(project, slug, 'resolve', (item, text) => {
      const instant = stampInstant('resolve', args.values.at, item.post.timezone);
      update = incidentResolution(item, message, instant, stampTime(instant, item.post.timezone, hasOwnZone(text)));
      return appendUpdate(item.post.file, text, update);
    });
    reportWritten(createOutput(args.json), written, 'resolved', { update }, [update]);
    return ExitCode.ok;
  },
};
