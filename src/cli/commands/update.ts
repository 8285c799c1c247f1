// `statuspost update SLUG`: appends an update to an incident, stamped with the time on the post's
// clock to the second, validated with every other post as the build would, written only if valid.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StatuspostError } from '../../errors.ts';
import { componentsNamed, incidentStatus, incidentUpdate, type IncidentUpdateRequest } from '../../posts/changes.ts';
import type { PostFile } from '../../posts/files.ts';
import { findPostFile } from '../../posts/find.ts';
import { incidentStatuses } from '../../posts/schema.ts';
import { stampTime } from '../../posts/stamp.ts';
import { formatZoned } from '../../posts/time.ts';
import type { Incident } from '../../posts/types.ts';
import { flagChoice, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import {
  appendUpdate,
  changePost,
  editorPrefill,
  hasOwnZone,
  loadProject,
  onePositional,
  parseComponentFlags,
  parseForChange,
  readMessage,
  reportWritten,
  stampInstant,
  type Project,
} from '../post-edit.ts';

export const updateCommand: Command = {
  summary: 'add an update to an incident, stamped with the time now',
  usage: `Usage: statuspost update SLUG [--status S] [--message TEXT|-] [--component ID=STATUS]…
                         [--sign-in-blocked | --sign-in-works] [--at WHEN] [--root DIR] [--json]

Appends an update to the incident SLUG (its file name without .md; or without its date, or the start
of either, when only one post has it: chat-nodes-down, chat-nodes), with the time now on the post's
clock to the second (2026-12-02T03:14:07, or with its offset in the hour a daylight-saving change
repeats). The whole post is validated with every other post as the build validates it, and written
only if valid; two commands on one post take turns and neither update is lost. Prints the update as
written.

  --status S           investigating, identified, monitoring or resolved (default: the incident's
                       current status); resolved sets every component the incident names back to
                       operational, as \`statuspost resolve\` does
  --message TEXT       the update, in Markdown; "-" reads it from standard input; without --message,
                       $EDITOR (else $VISUAL, else vi) opens on a file that explains what to write
                       (lines starting with # are dropped; an empty message writes nothing)
  --component ID=S     a component's status from this update on (repeat the flag, or separate with
                       commas): operational, degraded_performance, partial_outage, major_outage or
                       under_maintenance; only components the incident names
  --sign-in-blocked    nobody can sign in from this update on (client apps show it)
  --sign-in-works      sign-in works again from this update on
  --at WHEN            the update's time instead of now (when it was said elsewhere first), e.g.
                       2026-12-02T03:10 on the post's clock or 2026-12-02T11:10:00Z
  --root DIR           the project folder (default: the current folder)
  --json               print {written, file, slug, kind, draft, update} instead

A resolved incident takes no more updates: open a new incident if the problem is back.

Exit codes: 0 written, 1 refused or the posts have problems (the file is byte-identical), 2 bad usage
(an unknown slug, status or component status), 3 another command held the post past 10 s.`,
  async run(argv) {
    const args = parseCommandArgs(
      'update',
      argv,
      {
        status: { type: 'string' },
        message: { type: 'string' },
        component: { type: 'string', multiple: true },
        'sign-in-blocked': { type: 'boolean' },
        'sign-in-works': { type: 'boolean' },
        at: { type: 'string' },
      },
      true,
    );
    const slug = onePositional('update', args.positionals);
    const status = args.values.status === undefined ? undefined : flagChoice('update', 'status', String(args.values.status), incidentStatuses);
    const components = parseComponentFlags('update', (args.values.component as string[] | undefined) ?? []);
    if (args.values['sign-in-blocked'] && args.values['sign-in-works']) throw new StatuspostError('SP_USAGE', 'update: --sign-in-blocked and --sign-in-works contradict each other', { hint: 'give one of them' });
    const signInBlocked = args.values['sign-in-blocked'] ? true : args.values['sign-in-works'] ? false : undefined;

    const project = await loadProject(args.root);
    const found = await findPostFile(args.root, slug, 'update');
    // The message comes first (an editor may stay open for minutes); the post is read again under its lock.
    const given = typeof args.values.message === 'string' ? args.values.message : undefined;
    const prefill = given === undefined ? await describeForEditor(project, found, status) : undefined;
    const message = (await readMessage(given, prefill === undefined ? undefined : { name: 'UPDATE', prefill }))!;
    const request: IncidentUpdateRequest = { message, components, ...(status ? { status } : {}), ...(signInBlocked !== undefined ? { signInBlocked } : {}) };
    let update: Record<string, unknown> = {};
    const written = await changePost(project, found.file, 'update', (item, text) => {
      const instant = stampInstant('update', args.values.at, item.post.timezone);
      update = incidentUpdate(item, request, instant, stampTime(instant, item.post.timezone, hasOwnZone(text)), project.context.componentIds);
      return appendUpdate(item.post.file, text, update);
    });
    const incident = written.post as Incident;
    reportWritten(createOutput(args.json), written, `added update ${incident.updates.length} (${String(update.status)})`, { update }, [update]);
    return ExitCode.ok;
  },
};

/** The editor's explanation, with the incident as it stands. */
async function describeForEditor(project: Project, found: PostFile, status: string | undefined): Promise<string> {
  const text = await readFile(join(project.context.root, found.file), 'utf8');
  const item = parseForChange(found.kind, found.file, text, project);
  if (item.post.kind !== 'incident') return editorPrefill([]); // the change refuses it, with the reason
  const incident = item.post;
  const last = incident.updates.at(-1);
  return editorPrefill([
    `Write the update for "${incident.title}" above these lines: what is known, what is`,
    'being done, and when the next update comes. Readers see it as written (Markdown).',
    'Lines starting with # are dropped. An empty message writes nothing.',
    '',
    `Incident: ${incident.slug} (${found.file})`,
    `Status of this update: ${status ?? `${incidentStatus(incident)} (unchanged; --status changes it)`}`,
    `Components: ${componentsNamed(incident).join(', ') || '(none)'}`,
    ...(last ? ['', `Last update, ${last.status}, ${formatZoned(last.at, incident.timezone)}:`, ...last.body.split('\n')] : []),
  ]);
}
