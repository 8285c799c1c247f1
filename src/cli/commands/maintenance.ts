// `statuspost maintenance start|complete|cancel SLUG`: a window's progress, stamped now.
import { setKey } from '../../posts/amend.ts';
import { maintenanceChange } from '../../posts/changes.ts';
import { stampTime } from '../../posts/stamp.ts';
import { STANDARD_MESSAGES } from '../../posts/wording.ts';
import { StatuspostError } from '../../errors.ts';
import { oneOf, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { appendUpdate, changePost, loadProject, onePositional, readMessage, reportWritten, stampInstant } from '../post-edit.ts';

const ACTIONS = ['start', 'complete', 'cancel'] as const;

export const maintenanceCommand: Command = {
  summary: 'start, complete or cancel a maintenance window',
  usage: `Usage: statuspost maintenance start|complete|cancel SLUG [--message TEXT|-] [--at WHEN] [--root DIR] [--json]

Records a maintenance window's progress with an update stamped with the time now on the post's clock
to the second, validated with every other post as the build validates it, written only if valid.

  start      an "in_progress" update; refused before window.start, and for a window started,
             completed or cancelled already
  complete   a "completed" update (the page shows the window as done from then on); refused before
             window.start, and for a window completed or cancelled already
  cancel     sets cancelled: true, with an update saying so; refused once the work has started
             (complete it instead, saying what was rolled back) or completed

  --message TEXT   what readers see (Markdown; "-" reads standard input); defaults:
                   "${STANDARD_MESSAGES.maintenanceStarted}" / "${STANDARD_MESSAGES.maintenanceCompleted}" /
                   "${STANDARD_MESSAGES.maintenanceCancelled}"
  --at WHEN        the update's time instead of now, on the post's clock or with an offset
  --root DIR       the project folder (default: the current folder)
  --json           print {written, file, slug, kind, draft, action, update} instead

Exit codes: 0 written, 1 refused or the posts have problems (the file is byte-identical), 2 bad usage
(an unknown action or slug), 3 another command held the post past 10 s.`,
  async run(argv) {
    const args = parseCommandArgs('maintenance', argv, { message: { type: 'string' }, at: { type: 'string' } }, true);
    const [word, ...rest] = args.positionals;
    if (word === undefined) throw new StatuspostError('SP_USAGE', 'maintenance: say what happened: `statuspost maintenance start|complete|cancel SLUG`', { hint: 'run `statuspost list --open` to see the slugs' });
    const action = oneOf('maintenance', 'action', word, ACTIONS);
    const slug = onePositional(`maintenance ${action}`, rest);
    const message = await readMessage(typeof args.values.message === 'string' ? args.values.message : undefined, undefined);
    const project = await loadProject(args.root);
    let update: Record<string, unknown> = {};
    const written = await changePost(project, slug, `maintenance ${action}`, (item, text) => {
      const instant = stampInstant(`maintenance ${action}`, args.values.at, item.post.timezone);
      // A window always names its timezone (the schema requires it): its wall clock is readable.
      const change = maintenanceChange(item, action, message, instant, stampTime(instant, item.post.timezone, true));
      update = change.update;
      return appendUpdate(item.post.file, text, update, change.cancel ? (doc) => setKey(doc, 'cancelled', true) : undefined);
    });
    const done = { start: 'started', complete: 'completed', cancel: 'cancelled' }[action];
    reportWritten(createOutput(args.json), written, done, { action, update }, action === 'cancel' ? { cancelled: true, updates: [update] } : [update]);
    return ExitCode.ok;
  },
};
