// What each on-call command adds to a post, decided from the post as it is on disk (read under its
// lock) and the request: an update to append, a flag to set, or a refusal that points at the line
// that makes it so. Pure: the stamp (the update's time as written) and the instant are passed in.
import { closest } from '../config/issues.ts';
import { StatuspostError, type SourcePosition } from '../errors.ts';
import type { ParsedPost } from './load.ts';
import type { ComponentStatus, Incident, IncidentStatus, Maintenance } from './types.ts';
import { formatZoned } from './time.ts';
import { STANDARD_MESSAGES, findPlaceholders } from './wording.ts';

export interface IncidentUpdateRequest {
  /** Default: the incident's current status (a note that changes nothing else). */
  status?: IncidentStatus;
  message: string;
  components: ReadonlyArray<{ id: string; status: ComponentStatus }>;
  /** true: sign-in blocked from this update on; false: works again; undefined: unchanged. */
  signInBlocked?: boolean;
}

/** An update as written into `updates:`, keys in the order authors write them. */
export type UpdateItem = Record<string, unknown>;

const refuse = (message: string, at: SourcePosition, hint: string) => new StatuspostError('SP_POST_REFUSED', message, { at, hint });

function asIncident(item: ParsedPost, command: string): Incident {
  if (item.post.kind === 'incident') return item.post;
  throw new StatuspostError('SP_USAGE', `${command}: ${item.post.slug} is a maintenance window, not an incident`, { hint: `use \`statuspost maintenance start|complete|cancel ${item.post.slug}\`` });
}

function asMaintenance(item: ParsedPost, command: string): Maintenance {
  if (item.post.kind === 'maintenance') return item.post;
  throw new StatuspostError('SP_USAGE', `${command}: ${item.post.slug} is an incident, not a maintenance window`, { hint: `use \`statuspost update ${item.post.slug}\` or \`statuspost resolve ${item.post.slug}\`` });
}

/** Every component an incident names: at its start and in any update. */
export function componentsNamed(incident: Incident): string[] {
  const ids = new Set(Object.keys(incident.components));
  for (const update of incident.updates) for (const id of Object.keys(update.components)) ids.add(id);
  return [...ids];
}

/** The incident's status now: its last update's. */
export function incidentStatus(incident: Incident): IncidentStatus {
  return incident.updates.at(-1)?.status ?? 'investigating';
}

/**
 * The update `statuspost update` appends. Refused: an incident already resolved (the rules keep the
 * resolution last, so it cannot be reopened by appending: a new incident is the honest record), and
 * a component the incident does not name (a typo must not add a component to the page).
 */
export function incidentUpdate(item: ParsedPost, request: IncidentUpdateRequest, instant: number, stamp: string, knownComponents: readonly string[] | undefined): UpdateItem {
  const incident = asIncident(item, 'update');
  refuseIfResolved(item, incident, 'update');
  refuseIfBefore(item, instant, 'update');
  const named = componentsNamed(incident);
  for (const { id } of request.components) {
    if (named.includes(id)) continue;
    const meant = closest(id, named);
    const elsewhere = knownComponents !== undefined && !knownComponents.includes(id) ? ` and no component in probes/components.yaml is called "${id}"` : '';
    throw refuse(`update: the incident does not name component "${id}"${elsewhere}; nothing was written`, item.at(['components']), `${meant ? `did you mean "${meant}"? ` : ''}it names: ${named.join(', ') || '(none)'}; to add a component to the incident, add it under components: first`);
  }
  const status = request.status ?? incidentStatus(incident);
  const components = Object.fromEntries(request.components.map(({ id, status: s }) => [id, s]));
  if (status === 'resolved') return resolution(incident, request.message, stamp, components, request.signInBlocked);
  return {
    at: stamp,
    status,
    body: request.message,
    ...(request.components.length > 0 ? { components } : {}),
    ...(request.signInBlocked !== undefined ? { signInBlocked: request.signInBlocked } : {}),
  };
}

/** The resolving update: every component the incident names back to operational unless told otherwise. */
export function incidentResolution(item: ParsedPost, message: string | undefined, instant: number, stamp: string): UpdateItem {
  const incident = asIncident(item, 'resolve');
  refuseIfResolved(item, incident, 'resolve');
  refuseIfBefore(item, instant, 'resolve');
  return resolution(incident, message ?? STANDARD_MESSAGES.resolved, stamp, {});
}

function resolution(incident: Incident, message: string, stamp: string, given: Record<string, ComponentStatus>, signInBlocked?: boolean): UpdateItem {
  const components = Object.fromEntries(componentsNamed(incident).map((id) => [id, given[id] ?? 'operational']));
  return {
    at: stamp,
    status: 'resolved',
    body: message,
    ...(Object.keys(components).length > 0 ? { components } : {}),
    ...(signInBlocked !== undefined ? { signInBlocked } : {}),
  };
}

function refuseIfResolved(item: ParsedPost, incident: Incident, command: string): void {
  const index = incident.updates.findIndex((update) => update.status === 'resolved');
  if (index === -1) return;
  throw refuse(
    `${command}: the incident was resolved at ${formatZoned(incident.updates[index]!.at, incident.timezone)}; nothing was written`,
    item.at(['updates', index, 'status']),
    'if the problem is back, open a new incident (`statuspost new incident`) and mention this one; a resolved incident stays as it was published',
  );
}

/**
 * An update dated before the last one, or before the start (--at, or a clock set wrong), is refused
 * here, at the line it would come after, rather than by the rules at a line the file does not have yet.
 */
function refuseIfBefore(item: ParsedPost, instant: number, command: string): void {
  const { post } = item;
  const index = post.updates.length - 1;
  const floor = index >= 0 ? post.updates[index]!.at : post.kind === 'incident' ? post.startedAt : post.announcedAt;
  if (instant >= floor) return;
  const what = index >= 0 ? `update ${index + 1}` : post.kind === 'incident' ? 'the start' : 'the announcement';
  const at = index >= 0 ? item.at(['updates', index, 'at']) : item.at(post.kind === 'incident' ? ['start'] : ['announcedAt']);
  throw refuse(`${command}: ${formatZoned(instant, post.timezone)} is before ${what} (${formatZoned(floor, post.timezone)}); nothing was written`, at, 'updates are appended in time order: give a later --at, or none for now');
}

export type MaintenanceAction = 'start' | 'complete' | 'cancel';

/** What `statuspost maintenance ACTION` writes: an update, and for a cancellation `cancelled: true`. */
export function maintenanceChange(item: ParsedPost, action: MaintenanceAction, message: string | undefined, instant: number, stamp: string): { update: UpdateItem; cancel: boolean } {
  const window = asMaintenance(item, `maintenance ${action}`);
  const command = `maintenance ${action}`;
  const checkOrder = () => refuseIfBefore(item, instant, command);
  const when = (at: number) => formatZoned(at, window.timezone);
  if (window.cancelled) throw refuse(`${command}: the window is cancelled; nothing was written`, item.at(['cancelled']), 'schedule a new window with `statuspost new maintenance`');
  const completed = window.updates.findIndex((update) => update.status === 'completed');
  if (completed !== -1) throw refuse(`${command}: the window was completed at ${when(window.updates[completed]!.at)}; nothing was written`, item.at(['updates', completed, 'status']), 'a completed window stays as it was published');
  const started = window.updates.findIndex((update) => update.status === 'in_progress');
  if (action === 'start') {
    if (started !== -1) throw refuse(`${command}: the window was started at ${when(window.updates[started]!.at)} already; nothing was written`, item.at(['updates', started, 'status']), `run \`statuspost maintenance complete ${window.slug}\` when the work is done`);
    if (instant < window.startsAt) throw refuse(`${command}: the window starts at ${when(window.startsAt)}, after ${when(instant)}; nothing was written`, item.at(['window', 'start']), 'start it at or after window.start; if the work really starts early, move window.start first');
    checkOrder();
    return { update: { at: stamp, status: 'in_progress', body: message ?? STANDARD_MESSAGES.maintenanceStarted }, cancel: false };
  }
  if (action === 'complete') {
    if (instant < window.startsAt) throw refuse(`${command}: the window has not started (it starts at ${when(window.startsAt)}); nothing was written`, item.at(['window', 'start']), `if it will not happen, run \`statuspost maintenance cancel ${window.slug}\``);
    checkOrder();
    return { update: { at: stamp, status: 'completed', body: message ?? STANDARD_MESSAGES.maintenanceCompleted }, cancel: false };
  }
  if (started !== -1) throw refuse(`${command}: the work started at ${when(window.updates[started]!.at)}, so the window cannot be cancelled; nothing was written`, item.at(['updates', started, 'status']), `say how it ended with \`statuspost maintenance complete ${window.slug} --message "…rolled back…"\``);
  checkOrder();
  return { update: { at: stamp, body: message ?? STANDARD_MESSAGES.maintenanceCancelled }, cancel: true };
}

/** Why a post may not be published yet: not a draft, or placeholder text left (each at its line). */
export function publishProblems(item: ParsedPost, text: string): StatuspostError[] {
  if (!item.post.draft) return [refuse(`publish: ${item.post.file} is not a draft; nothing was written`, item.at([]), 'it is published already (no draft: true in its front matter)')];
  return findPlaceholders(text).map(
    (found) =>
      new StatuspostError('SP_POST_REFUSED', `placeholder text left: "${found.placeholder}"`, {
        at: { file: item.post.file, line: found.line, column: found.column },
        hint: 'replace it with what readers should know, then run `statuspost publish` again',
      }),
  );
}
