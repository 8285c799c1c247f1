// `statuspost new incident|maintenance`: writes a valid post from a template, times in the author's
// zone, and prints its path. The front matter is serialised by the yaml package, never templated.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { closest } from '../../config/issues.ts';
import { isTimeZone } from '../../config/schema.ts';
import { formatDuration, parseDuration } from '../../config/duration.ts';
import { DURATION_LIMITS } from '../../config/limits.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { composePost } from '../../posts/compose.ts';
import { impacts, componentStatuses } from '../../posts/schema.ts';
import { formatWallClock, parsePostTime } from '../../posts/time.ts';
import { flagChoice, oneOf, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';

export const newCommand: Command = {
  summary: 'write a new incident or maintenance post from a template',
  usage: `Usage: statuspost new incident --title TEXT --components ID[,ID…] [--impact minor] [--status partial_outage]
                                [--start WHEN] [--timezone ZONE] [--root DIR] [--json]
       statuspost new maintenance --title TEXT --components ID[,ID…] --start WHEN [--duration 30m]
                                [--timezone ZONE] [--root DIR] [--json]

Writes content/incidents/YYYY-MM-DD-slug.md or content/maintenance/YYYY-MM-DD-slug.md, valid as
written, and prints its path. Times are written in the author's zone (--timezone, default the
site's timezone): WHEN is a wall-clock time such as 2026-11-28T22:00 in that zone, or a time with an
offset. An incident starts now unless --start says otherwise; it opens with an "investigating" update.

  --title TEXT       the post's title; its slug names the file
  --components IDS   the affected components, from probes/components.yaml, separated by commas
  --impact I         incidents: none, minor (default), major or critical
  --status S         incidents: the components' status during it: operational, degraded_performance,
                     partial_outage (default), major_outage or under_maintenance
  --start WHEN       when it starts (incidents: default now; maintenance: required)
  --duration D       maintenance: the window's length (default 30m)
  --timezone ZONE    the author's IANA zone (default: the site's timezone)
  --root DIR         the project folder (default: the current folder)
  --json             print {"file": …, "kind": …} instead of the path alone

Exit codes: 0 written, 1 the file exists or the configuration has problems, 2 bad usage.`,
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
      },
      true,
    );
    const [word, ...stray] = args.positionals;
    if (word === undefined) throw new StatuspostError('SP_USAGE', 'new: say what to write: `statuspost new incident` or `statuspost new maintenance`');
    const kind = oneOf('new', 'kind', word, ['incident', 'maintenance']);
    if (stray.length > 0) throw new StatuspostError('SP_USAGE', `new: unexpected argument "${stray[0]}"`, { hint: 'quote a title of several words: --title "Sign-in failing"' });
    // A flag for the other kind of post would be dropped from the file: refuse it instead.
    const notFor = kind === 'incident' ? ['duration'] : ['impact', 'status'];
    const misplaced = notFor.find((flag) => args.values[flag] !== undefined);
    if (misplaced) throw new StatuspostError('SP_USAGE', `new ${kind}: --${misplaced} is for ${kind === 'incident' ? 'maintenance' : 'incidents'} only`, { hint: 'run `statuspost new --help`' });
    const title = String(args.values.title ?? '').trim();
    if (!title) throw new StatuspostError('SP_USAGE', 'new: --title is required', { hint: 'e.g. --title "Sign-in failing"' });
    const components = String(args.values.components ?? '').split(',').map((id) => id.trim()).filter(Boolean);
    if (components.length === 0) throw new StatuspostError('SP_USAGE', 'new: --components is required', { hint: 'e.g. --components cache,chat-nodes' });

    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const known = new Set(config.components.map((c) => c.id));
    const unknown = components.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const meant = closest(unknown[0]!, [...known]);
      throw new StatuspostError('SP_USAGE', `new: unknown component ${unknown.map((id) => `"${id}"`).join(', ')}`, {
        hint: `${meant ? `did you mean "${meant}"? ` : ''}known components: ${[...known].join(', ')}`,
      });
    }
    const impact = flagChoice('new', 'impact', String(args.values.impact ?? 'minor'), impacts);
    const status = flagChoice('new', 'status', String(args.values.status ?? 'partial_outage'), componentStatuses);
    const zone = typeof args.values.timezone === 'string' ? args.values.timezone : config.site.timezone;
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
    let composed: { file: string; text: string };
    if (kind === 'incident') {
      composed = composePost({
        kind,
        title,
        zone,
        start,
        components,
        impact,
        status,
      });
    } else {
      const durationText = String(args.values.duration ?? '30m');
      const durationMs = parseDuration(durationText);
      if (durationMs === undefined || durationMs <= 0) throw new StatuspostError('SP_USAGE', `new: --duration "${durationText}" is not a duration`, { hint: 'e.g. 30m or 2h' });
      // The range `check` holds a window to, so `new` never writes a post that `check` then refuses.
      const window = DURATION_LIMITS.maintenanceWindow;
      if (durationMs < window.minMs || durationMs > window.maxMs) {
        throw new StatuspostError('SP_USAGE', `new: --duration ${durationText} is outside ${formatDuration(window.minMs)} to ${formatDuration(window.maxMs)}`, { hint: window.why });
      }
      composed = composePost({ kind, title, zone, start, durationText, announcedAt: now, components });
    }
    const { file, text } = composed;
    const path = join(args.root, file);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, text, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StatuspostError('SP_POST_INVALID', `${file} exists already; nothing was written`, { hint: 'choose another --title, or edit that file' });
      }
      throw error;
    }
    const output = createOutput(args.json);
    if (args.json) output.data({ file, kind });
    else output.line(file);
    return ExitCode.ok;
  },
};
