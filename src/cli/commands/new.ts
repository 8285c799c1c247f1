// `statuspost new incident|maintenance`: writes a valid post from a template, times in the author's
// zone, and prints its path. The front matter is serialised by the yaml package, never templated.
import { closest } from '../../config/issues.ts';
import { isTimeZone } from '../../config/schema.ts';
import { formatDuration, parseDuration } from '../../config/duration.ts';
import { DURATION_LIMITS } from '../../config/limits.ts';
import { StatuspostError } from '../../errors.ts';
import { composePost } from '../../posts/compose.ts';
import { readTemplate, TEMPLATE_FOLDER, type Template } from '../../posts/template.ts';
import { PLACEHOLDERS } from '../../posts/wording.ts';
import { createPost } from '../../posts/write.ts';
import { impacts, componentStatuses } from '../../posts/schema.ts';
import { formatWallClock, parsePostTime } from '../../posts/time.ts';
import { flagChoice, oneOf, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { loadProject, readMessage } from '../post-edit.ts';

export const newCommand: Command = {
  summary: 'write a new incident or maintenance post from a template',
  usage: `Usage: statuspost new incident --title TEXT --components ID[,ID…] [--impact minor] [--status partial_outage]
                                [--message TEXT|-] [--sign-in-blocked] [--start WHEN] [--timezone ZONE]
                                [--template NAME] [--draft] [--root DIR] [--json]
       statuspost new maintenance --title TEXT --components ID[,ID…] --start WHEN [--duration 30m]
                                [--affected TEXT] [--unaffected TEXT] [--message TEXT|-]
                                [--sign-in-blocked] [--update-required VERSION] [--timezone ZONE]
                                [--template NAME] [--draft] [--root DIR] [--json]

Writes content/incidents/YYYY-MM-DD-slug.md or content/maintenance/YYYY-MM-DD-slug.md, validated with
every other post as the build validates it (nothing is written otherwise, and an existing file is
never replaced), and prints its path. Times are written in the author's zone (--timezone, default the
site's timezone): WHEN is a wall-clock time such as 2026-11-28T22:00 in that zone, or a time with an
offset. An incident starts now unless --start says otherwise; it opens with an "investigating" update.

A post for which \`new\` fills in placeholder text (a window without --affected, --unaffected or
--message, from flags or the template) is written as a draft (draft: true): checked like any post,
published nowhere until its placeholders are replaced and \`statuspost publish SLUG\` removes the flag.

  --title TEXT         the post's title; its slug names the file
  --components IDS     the affected components, from probes/components.yaml, separated by commas
  --impact I           incidents: none, minor (default), major or critical
  --status S           incidents: the components' status during it: operational, degraded_performance,
                       partial_outage (default), major_outage or under_maintenance
  --message TEXT       incidents: the first update (default: "We are investigating reports of a
                       problem…"); maintenance: the notice's description below the front matter; "-"
                       reads it from standard input
  --sign-in-blocked    nobody can sign in during it (client apps read it from the banner feed)
  --start WHEN         when it starts (incidents: default now; maintenance: required)
  --duration D         maintenance: the window's length (default 30m)
  --affected TEXT      maintenance: what stops working during the window, in readers' words
  --unaffected TEXT    maintenance: what keeps working
  --update-required V  maintenance: clients older than version V must update to sign in again
  --timezone ZONE      the author's IANA zone (default: the site's timezone)
  --template NAME      fill the post from ${TEMPLATE_FOLDER}/NAME.md (flags override it); see README
  --draft              write it as a draft even with every text given
  --root DIR           the project folder (default: the current folder)
  --json               print {"file": …, "kind": …, "draft": …} instead of the path alone

Exit codes: 0 written, 1 the file exists or the posts or configuration have problems, 2 bad usage.`,
  async run(argv) {
    const args = parseCommandArgs(
      'new',
      argv,
      {
        title: { type: 'string' },
        components: { type: 'string' },
        impact: { type: 'string' },
        status: { type: 'string' },
        start: { type: 'string' },
        duration: { type: 'string' },
        timezone: { type: 'string' },
        message: { type: 'string' },
        'sign-in-blocked': { type: 'boolean' },
        'update-required': { type: 'string' },
        affected: { type: 'string' },
        unaffected: { type: 'string' },
        template: { type: 'string' },
        draft: { type: 'boolean', default: false },
      },
      true,
    );
    const [word, ...stray] = args.positionals;
    if (word === undefined) throw new StatuspostError('SP_USAGE', 'new: say what to write: `statuspost new incident` or `statuspost new maintenance`');
    const kind = oneOf('new', 'kind', word, ['incident', 'maintenance']);
    if (stray.length > 0) throw new StatuspostError('SP_USAGE', `new: unexpected argument "${stray[0]}"`, { hint: 'quote a title of several words: --title "Sign-in failing"' });
    // A flag for the other kind of post would be dropped from the file: refuse it instead.
    const notFor = kind === 'incident' ? ['duration', 'affected', 'unaffected', 'update-required'] : ['impact', 'status'];
    const misplaced = notFor.find((flag) => args.values[flag] !== undefined);
    if (misplaced) throw new StatuspostError('SP_USAGE', `new ${kind}: --${misplaced} is for ${kind === 'incident' ? 'maintenance' : 'incidents'} only`, { hint: 'run `statuspost new --help`' });
    const project = await loadProject(args.root);
    const template: Template | undefined = typeof args.values.template === 'string' ? await readTemplate(args.root, args.values.template, kind) : undefined;
    const title = String(args.values.title ?? template?.title ?? '').trim();
    if (!title) throw new StatuspostError('SP_USAGE', 'new: --title is required', { hint: 'e.g. --title "Sign-in failing"' });
    const fromTemplate = template?.components === undefined ? [] : Array.isArray(template.components) ? template.components : Object.keys(template.components);
    const components = args.values.components === undefined ? fromTemplate : String(args.values.components).split(',').map((id) => id.trim()).filter(Boolean);
    if (components.length === 0) throw new StatuspostError('SP_USAGE', 'new: --components is required', { hint: 'e.g. --components cache,chat-nodes' });
    const message = await readMessage(typeof args.values.message === 'string' ? args.values.message : undefined, undefined);
    const signInBlocked = args.values['sign-in-blocked'] === true ? true : template?.signInBlocked;
    const draft = args.values.draft === true;
    const known = new Set(project.componentIds);
    const unknown = components.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const meant = closest(unknown[0]!, [...known]);
      throw new StatuspostError('SP_USAGE', `new: unknown component ${unknown.map((id) => `"${id}"`).join(', ')}`, {
        hint: `${meant ? `did you mean "${meant}"? ` : ''}known components: ${[...known].join(', ')}`,
      });
    }
    const fromIncident = template?.kind === 'incident' ? template : undefined;
    const fromWindow = template?.kind === 'maintenance' ? template : undefined;
    const impact = flagChoice('new', 'impact', String(args.values.impact ?? fromIncident?.impact ?? 'minor'), impacts);
    // A template's components carry their status; --status sets them all.
    const templateStatus = fromIncident?.components && !Array.isArray(fromIncident.components) ? Object.values(fromIncident.components)[0] : undefined;
    const status = flagChoice('new', 'status', String(args.values.status ?? templateStatus ?? 'partial_outage'), componentStatuses);
    const zone = typeof args.values.timezone === 'string' ? args.values.timezone : project.siteTimezone;
    if (!isTimeZone(zone)) throw new StatuspostError('SP_USAGE', `new: --timezone "${zone}" is not an IANA time zone`, { hint: 'e.g. America/Los_Angeles' });

    const now = Date.now();
    const startText = typeof args.values.start === 'string' ? args.values.start : undefined;
    if (kind === 'maintenance' && startText === undefined) {
      throw new StatuspostError('SP_USAGE', 'new maintenance: --start is required', { hint: `e.g. --start ${formatWallClock(now + 5 * 86_400_000, zone).slice(0, 10)}T22:00` });
    }
    const start = startText === undefined ? now : parsePostTime(startText, zone);
    if (typeof start !== 'number') {
      throw new StatuspostError('SP_USAGE', `new: --start "${startText}" is not a usable time in ${zone}`, { hint: 'e.g. 2026-11-28T22:00, or with an offset: 2026-11-28T22:00:00-08:00' });
    }
    let composed: { file: string; text: string; draft: boolean };
    if (kind === 'incident') {
      const firstUpdate = message ?? fromIncident?.message;
      composed = composePost({
        kind,
        title,
        zone,
        start,
        components,
        impact,
        status,
        draft,
        ...(signInBlocked !== undefined ? { signInBlocked } : {}),
        ...(firstUpdate !== undefined ? { updates: [{ at: start, status: 'investigating', body: firstUpdate }] } : {}),
      });
    } else {
      const durationText = String(args.values.duration ?? fromWindow?.durationText ?? '30m');
      const durationMs = parseDuration(durationText);
      if (durationMs === undefined || durationMs <= 0) throw new StatuspostError('SP_USAGE', `new: --duration "${durationText}" is not a duration`, { hint: 'e.g. 30m or 2h' });
      // The range `check` holds a window to, so `new` never writes a post that `check` then refuses.
      const window = DURATION_LIMITS.maintenanceWindow;
      if (durationMs < window.minMs || durationMs > window.maxMs) {
        throw new StatuspostError('SP_USAGE', `new: --duration ${durationText} is outside ${formatDuration(window.minMs)} to ${formatDuration(window.maxMs)}`, { hint: window.why });
      }
      const text = (flag: string) => (typeof args.values[flag] === 'string' ? String(args.values[flag]).trim() || undefined : undefined);
      const affected = text('affected') ?? fromWindow?.affected;
      const unaffected = text('unaffected') ?? fromWindow?.unaffected;
      const body = message ?? fromWindow?.body;
      const updateRequired = text('update-required') ?? fromWindow?.updateRequired;
      composed = composePost({
        kind,
        title,
        zone,
        start,
        durationText,
        announcedAt: now,
        components,
        draft,
        ...(affected !== undefined ? { affected } : {}),
        ...(unaffected !== undefined ? { unaffected } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(signInBlocked !== undefined ? { signInBlocked } : {}),
        ...(updateRequired !== undefined ? { updateRequired } : {}),
      });
    }
    const written = await createPost(project.context, composed.file, composed.text);
    const output = createOutput(args.json);
    if (args.json) output.data({ file: written.file, kind, draft: composed.draft });
    else {
      output.line(written.file);
      if (composed.draft) {
        const left = Object.values(PLACEHOLDERS).filter((placeholder) => composed.text.includes(placeholder));
        output.error(`written as a draft (draft: true): published nowhere until ${left.length > 0 ? 'its placeholder text is replaced and ' : ''}\`statuspost publish ${written.post.slug}\` is run`);
      }
    }
    return ExitCode.ok;
  },
};
