// Rules across fields and files. Each reports with the position of the value to fix; none throws.
import { formatDuration } from '../config/duration.ts';
import { closest } from '../config/issues.ts';
import { DURATION_LIMITS } from '../config/limits.ts';
import { StatuspostError, formatPosition, type SourcePosition } from '../errors.ts';
import type { ParsedPost } from './load.ts';
import { zonedDate } from './time.ts';

type Report = (at: SourcePosition, message: string, hint?: string) => void;
type Rule = (item: ParsedPost, report: Report, context: { componentIds: ReadonlySet<string> | undefined }) => void;

const FILE_NAME = /^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(-[a-z0-9]+)*$/;

const fileNameCarriesTheStartDate: Rule = ({ post, at, writtenStart }, report) => {
  const match = FILE_NAME.exec(post.slug);
  if (!match) {
    report({ file: post.file }, 'file name must be YYYY-MM-DD-slug.md, with a slug of lowercase letters, digits and dashes', `e.g. ${post.kind === 'incident' ? 'content/incidents/2015-09-09-redis-failure.md' : 'content/maintenance/2012-03-24-main-database-upgrade.md'}`);
    return;
  }
  const start = post.kind === 'incident' ? post.startedAt : post.startsAt;
  // The date as the author's clock showed it: in the post's zone, or as written with its offset.
  const expected = post.kind === 'maintenance' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(writtenStart) ? zonedDate(start, post.timezone) : writtenStart.slice(0, 10);
  if (match[1] !== expected) {
    const path = post.kind === 'incident' ? ['start'] : ['window', 'start'];
    report(at(path), `the file name says ${match[1]} but the start is on ${expected}${post.kind === 'maintenance' ? ` in ${post.timezone}` : ''}`, `rename the file to ${expected}${post.slug.slice(10)}.md, or correct the start`);
  }
};

const componentsExist: Rule = ({ post, at }, report, { componentIds }) => {
  if (!componentIds) return; // probes/components.yaml itself has problems: those are reported instead
  const known = [...componentIds];
  const unknown = (id: string, where: SourcePosition) => {
    const meant = closest(id, known);
    report(where, `unknown component "${id}"`, `${meant ? `did you mean "${meant}"? ` : ''}known components: ${known.join(', ')}`);
  };
  if (post.kind === 'incident') {
    for (const id of Object.keys(post.components)) if (!componentIds.has(id)) unknown(id, at(['components'], id));
    post.updates.forEach((update, i) => {
      for (const id of Object.keys(update.components)) if (!componentIds.has(id)) unknown(id, at(['updates', i, 'components'], id));
    });
  } else {
    post.components.forEach((id, i) => {
      if (!componentIds.has(id)) unknown(id, at(['components', i]));
    });
  }
};

const updatesInOrder: Rule = ({ post, at }, report) => {
  const floor = post.kind === 'incident' ? post.startedAt : post.announcedAt;
  const floorName = post.kind === 'incident' ? 'the start' : 'the announcement';
  post.updates.forEach((update, i) => {
    if (update.at < floor) report(at(['updates', i, 'at']), `update ${i + 1} is before ${floorName}`, 'updates come after it; correct the time or the start');
    else if (i > 0 && update.at < post.updates[i - 1]!.at) report(at(['updates', i, 'at']), `update ${i + 1} is earlier than update ${i}`, 'list updates in time order, oldest first');
  });
};

const incidentResolution: Rule = ({ post, at }, report) => {
  if (post.kind !== 'incident') return;
  const resolving = post.updates.flatMap((update, i) => (update.status === 'resolved' ? [i] : []));
  if (resolving.length > 1) report(at(['updates', resolving[1]!, 'status']), 'the incident is resolved twice', 'keep one update with status: resolved, the last');
  else if (resolving.length === 1 && resolving[0] !== post.updates.length - 1) {
    report(at(['updates', resolving[0]!, 'status']), 'the resolving update must be the last one', 'if it came back, add the new updates after it and resolve again at the end');
  }
  // A body without postmortemAt is a postmortem being written: valid, published nowhere (a warning says so).
  if (post.postmortemAt !== null) {
    if (post.resolvedAt === null) report(at(['postmortemAt']), 'postmortemAt: a postmortem needs a resolved incident', 'add the resolving update (status: resolved) first');
    else if (post.postmortemAt < post.resolvedAt) report(at(['postmortemAt']), 'postmortemAt: the postmortem is dated before the resolution', 'a postmortem is published after the incident is resolved');
    if (post.body === '') report(at(['postmortemAt']), 'postmortemAt: set, but the file has no postmortem below its front matter', 'write the postmortem as the Markdown body, or remove postmortemAt');
  }
};

const maintenanceWindow: Rule = ({ post, at }, report) => {
  if (post.kind !== 'maintenance') return;
  if (post.endsAt <= post.startsAt) {
    report(at(['window', 'end']), 'window.end must be after window.start', 'give duration: 10m instead of end if the end time is not known yet');
  } else if (post.endsAt - post.startsAt > DURATION_LIMITS.maintenanceWindow.maxMs) {
    report(at(['window', 'end']), `window.end is more than ${formatDuration(DURATION_LIMITS.maintenanceWindow.maxMs)} after window.start`, DURATION_LIMITS.maintenanceWindow.why);
  }
  if (post.announcedAt > post.startsAt) {
    report(at(['announcedAt']), 'announcedAt is after the window starts', 'announce maintenance before it begins, so readers and client apps can prepare');
  }
  post.updates.forEach((update, i) => {
    if (update.status === 'completed' && update.at < post.startsAt) report(at(['updates', i, 'at']), 'a "completed" update before the window starts', 'completed updates come at or after window.start');
  });
};

const cancelledOrCompleted: Rule = ({ post, at }, report) => {
  if (post.kind !== 'maintenance' || !post.cancelled) return;
  const completed = post.updates.findIndex((update) => update.status === 'completed');
  if (completed === -1) return;
  report(at(['cancelled']), `cancelled: true, but update ${completed + 1} says the work was completed`, 'a cancelled window did not happen: set cancelled: false, or change that update\'s status');
};

const perPost: readonly Rule[] = [fileNameCarriesTheStartDate, componentsExist, updatesInOrder, incidentResolution, maintenanceWindow, cancelledOrCompleted];

export function checkPostRules(items: readonly ParsedPost[], componentIds: readonly string[] | undefined): StatuspostError[] {
  const problems: StatuspostError[] = [];
  const context = { componentIds: componentIds && new Set(componentIds) };
  for (const item of items) {
    const report: Report = (at, message, hint) =>
      problems.push(new StatuspostError('SP_POST_INVALID', message, { at, ...(hint ? { hint } : {}) }));
    for (const rule of perPost) rule(item, report, context);
  }
  // Slugs are URLs: two posts may not share one, whatever their kind or letter case.
  const seen = new Map<string, ParsedPost>();
  for (const item of items) {
    const key = item.post.slug.toLowerCase();
    const first = seen.get(key);
    if (first) {
      problems.push(
        new StatuspostError('SP_POST_INVALID', `slug "${item.post.slug}" is already used by ${first.post.file}`, {
          at: { file: item.post.file },
          hint: `rename one of them; slugs are URLs (first at ${formatPosition({ file: first.post.file })})`,
        }),
      );
    } else seen.set(key, item);
  }
  return problems;
}

/**
 * How far ahead of the clock a time may lie before it is worth a warning: clocks differ by a few
 * seconds, and an author may date an update a minute or two ahead as they post it. Beyond this the
 * likely cause is UTC written without a Z and read in the post's zone: hours ahead.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * An incident's start and every update lying ahead of `now`: valid, but hidden from every page and
 * feed until then, which is seldom what the author meant. Warnings, never problems.
 */
export function futureTimeWarnings(items: readonly ParsedPost[], now: number): StatuspostError[] {
  const warnings: StatuspostError[] = [];
  for (const { post, at } of items) {
    const hint = `times without an offset are read in ${post.timezone}; if you wrote UTC, end the time with Z`;
    const warn = (path: (string | number)[], instant: number, what: string) => {
      if (instant - now <= FUTURE_TOLERANCE_MS) return;
      warnings.push(new StatuspostError('SP_POST_WARNING', `${path.join('.')}: ${formatAhead(instant - now)} ahead of now; ${what} stays hidden until then`, { at: at(path), hint }));
    };
    if (post.kind === 'incident') warn(['start'], post.startedAt, 'the incident');
    post.updates.forEach((update, i) => warn(['updates', i, 'at'], update.at, 'the update'));
  }
  return warnings;
}

/**
 * An incident with a postmortem (its body) but no postmortemAt: a postmortem still being written,
 * as `statuspost postmortem` leaves it. Published nowhere until postmortemAt is set, which
 * `statuspost postmortem SLUG --publish` does once no placeholder is left. A warning, never a problem.
 */
export function unpublishedPostmortemWarnings(items: readonly ParsedPost[]): StatuspostError[] {
  return items.flatMap(({ post, at }) =>
    post.kind === 'incident' && post.body !== '' && post.postmortemAt === null
      ? [
          new StatuspostError('SP_POST_WARNING', 'the postmortem (the body) has no postmortemAt, so it is not published yet', {
            at: at([]),
            hint: `when it is written, run \`statuspost postmortem ${post.slug} --publish\` (or add postmortemAt: with the time it was published)`,
          }),
        ]
      : [],
  );
}

/** "12 min", "8 h", "7 h 59 min", "3 days". */
export function formatAhead(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
