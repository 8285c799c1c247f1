// Incidents and maintenance as written in content/**.md front matter, and their runtime shape.
// Times are checked against the post's own `timezone` here, so every problem carries its position.
import { z } from 'zod/v4';
import { isTimeZone } from '../config/schema.ts';
import { DURATION_LIMITS } from '../config/limits.ts';
import { durationWithin, idSchema } from '../probes/types.ts';
import { graphemeCount } from './text.ts';
import { daysInMonth, parsePostTime, type TimeProblem } from './time.ts';

export const componentStatuses = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const maintenanceUpdateStatuses = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export const impacts = ['none', 'minor', 'major', 'critical'] as const;

const componentStatus = z.enum(componentStatuses);
const timeText = z.string({ error: 'must be a time such as 2012-03-24T22:00 (with timezone:) or 2012-03-24T22:00:00-08:00' });
const zone = z.string().refine(isTimeZone, { error: 'must be an IANA time zone, e.g. America/Los_Angeles or Europe/Paris' });
const body = z.string().trim().min(1, { error: 'must not be empty' });
const TITLE_MAX = 200;
/** Counted as a reader counts: an emoji or an accented letter is one character, not two or three UTF-16 units. */
const title = z
  .string()
  .trim()
  .min(1)
  .superRefine((text, ctx) => {
    // A text has no more characters than UTF-16 units: only a long one needs Intl.Segmenter (slow).
    const length = text.length > TITLE_MAX ? graphemeCount(text) : text.length;
    if (length > TITLE_MAX) ctx.addIssue({ code: 'custom', message: `must be at most ${TITLE_MAX} characters (it has ${length})` });
  });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A calendar date (2026-12-15): a due date is a day, not an instant, so it carries no zone. */
const dateText = z.string({ error: 'must be a date such as 2026-12-15' }).superRefine((text, ctx) => {
  const match = DATE.exec(text);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date; write it as YYYY-MM-DD, e.g. 2026-12-15` });
    return;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) ctx.addIssue({ code: 'custom', message: `"${text}" is not a real date: there is no month ${match[2]}` });
  else if (day < 1 || day > daysInMonth(year, month)) ctx.addIssue({ code: 'custom', message: `"${text}" is not a real date: that month has ${daysInMonth(year, month)} days` });
});

/** One thing the postmortem commits to: what, who, by when, and whether it is done. */
const actionItem = z.strictObject({
  title,
  owner: z.string().trim().min(1, { error: 'name who owns it (a person or a team)' }),
  due: dateText,
  done: z.boolean().default(false),
});

const incidentWritten = z.strictObject({
  title,
  impact: z.enum(impacts),
  /** The author's zone: times without an offset are read in it, and pages show it beside UTC. */
  timezone: zone.optional(),
  start: timeText,
  /** Each affected component with the status it had during the incident. */
  components: z.record(idSchema, componentStatus).default({}),
  updates: z
    .array(
      z.strictObject({
        at: timeText,
        status: z.enum(incidentStatuses),
        body,
        /** Status changes from this update on. */
        components: z.record(idSchema, componentStatus).optional(),
        /** Sign-in blocked (true) or working again (false) from this update on. */
        signInBlocked: z.boolean().optional(),
      }),
    )
    .min(1, { error: 'list at least one update (status: investigating, and what is known)' }),
  /** When the postmortem (the Markdown body) was published: its own time, not the resolution's. */
  postmortemAt: timeText.optional(),
  /** The postmortem's action items: shown on the incident page and carried in the API's postmortem body. */
  actionItems: z.array(actionItem).default([]),
  /** Nobody can sign in from the start; an update can say it works again. Client apps show it. */
  signInBlocked: z.boolean().default(false),
  /** Validated like any post but left out of every output until `statuspost publish` removes it. */
  draft: z.boolean().default(false),
});

const maintenanceWritten = z.strictObject({
  title,
  timezone: zone,
  /** When the notice goes public; it is shown from then until the window ends. */
  announcedAt: timeText,
  window: z.strictObject({
    start: timeText,
    end: timeText.optional(),
    duration: durationWithin(DURATION_LIMITS.maintenanceWindow).optional(),
  }),
  components: z.array(idSchema).min(1, { error: 'list the components the maintenance affects' }),
  /** What is affected, in words readers understand. */
  affected: body,
  /** What still works during the window. */
  unaffected: z.string().trim().min(1).optional(),
  signInBlocked: z.boolean().default(false),
  /** Clients older than this version must update before they can sign in again. */
  updateRequired: z.strictObject({ minimumVersion: z.string().trim().min(1) }).optional(),
  updates: z
    .array(z.strictObject({ at: timeText, status: z.enum(maintenanceUpdateStatuses).optional(), body }))
    .default([]),
  cancelled: z.boolean().default(false),
  /** Validated like any post but left out of every output until `statuspost publish` removes it. */
  draft: z.boolean().default(false),
});

export type IncidentWritten = z.output<typeof incidentWritten>;
export type MaintenanceWritten = z.output<typeof maintenanceWritten>;

/** Every time field of a post, with its path, so problems point at the value. */
function timeFields(post: Record<string, unknown>): Array<{ path: (string | number)[]; text: string }> {
  const fields: Array<{ path: (string | number)[]; text: string }> = [];
  const add = (path: (string | number)[], value: unknown) => {
    if (typeof value === 'string') fields.push({ path, text: value });
  };
  add(['start'], post.start);
  add(['postmortemAt'], post.postmortemAt);
  add(['announcedAt'], post.announcedAt);
  const window = post.window as { start?: unknown; end?: unknown } | undefined;
  add(['window', 'start'], window?.start);
  add(['window', 'end'], window?.end);
  (post.updates as Array<{ at?: unknown }> | undefined)?.forEach((update, i) => add(['updates', i, 'at'], update?.at));
  return fields;
}

function timeProblemMessage(problem: TimeProblem, text: string): string {
  switch (problem.kind) {
    case 'format':
      return `"${text}" is not a time; write 2012-03-24T22:00 (read in timezone:) or 2012-03-24T22:00:00-08:00`;
    case 'impossible':
      return `"${text}" is not a real time: ${problem.why}`;
    case 'no-zone':
      return `"${text}" has no offset and the post has no timezone; add timezone: America/Los_Angeles (your zone) or write ${text}:00-08:00`;
    case 'skipped':
      return `"${text}" does not exist in ${problem.zone}: the clocks skip it when daylight saving time starts; pick another time or write an offset`;
    case 'ambiguous':
      return `"${text}" happens twice in ${problem.zone} (clocks go back); write the offset you mean: ${text}:00${problem.offsets[0]} or ${text}:00${problem.offsets[1]}`;
  }
}

/** Every unusable time of a post (as written), with its path: usable on values the schema refused too. */
export function timeIssues(value: unknown): Array<{ path: (string | number)[]; message: string }> {
  if (value === null || typeof value !== 'object') return [];
  const post = value as Record<string, unknown>;
  const zone = typeof post.timezone === 'string' ? post.timezone : undefined;
  return timeFields(post).flatMap((field) => {
    const parsed = parsePostTime(field.text, zone);
    return typeof parsed === 'number' ? [] : [{ path: field.path, message: timeProblemMessage(parsed, field.text) }];
  });
}

/** Adds a positioned issue for every unusable time. */
function withTimes<S extends z.ZodType>(schema: S) {
  return schema.superRefine((value, ctx) => {
    for (const issue of timeIssues(value)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
}

export const incidentSchema = withTimes(incidentWritten);
// A window whose end or duration was refused has it missing from the value: say nothing more about it
// (nor about a post that is not a map at all).
const windowIsValid = (payload: z.core.ParsePayload) => !payload.issues.some((issue) => issue.path === undefined || issue.path.length === 0 || issue.path[0] === 'window');
export const maintenanceSchema = withTimes(maintenanceWritten)
  .refine((post) => post.window.end !== undefined || post.window.duration !== undefined, {
    path: ['window'],
    error: 'window needs an end or a duration, e.g. duration: 30m',
    when: windowIsValid,
  })
  .refine((post) => post.window.end === undefined || post.window.duration === undefined, {
    path: ['window', 'duration'],
    error: 'give either window.end or window.duration, not both',
    when: windowIsValid,
  });

/** Epoch ms of a time already validated by the schema. */
export function timeOf(text: string, timezone: string | undefined): number {
  const parsed = parsePostTime(text, timezone);
  if (typeof parsed !== 'number') throw new Error(`unvalidated time "${text}"`); // the schema refused these already
  return parsed;
}
