// The one interface every probe kind plugs into, and the result it always resolves to.
import { z } from 'zod/v4';
import { formatDuration, parseDuration } from '../config/duration.ts';
import { DURATION_LIMITS, type DurationLimit } from '../config/limits.ts';
import { staggerSchedule, toSchedule, type Schedule } from '../config/schedule.ts';
import type { QuorumRule } from '../locations/quorum.ts';

export type ProbeStatus = 'up' | 'degraded' | 'down';

export type DetailValue = string | number | boolean | null;

export interface CheckResult {
  checkId: string;
  kind: string;
  status: ProbeStatus;
  /** Epoch ms when the attempt started. */
  startedAt: number;
  /** Null when nothing answered. */
  latencyMs: number | null;
  /** One line, safe to publish: never an address, a URL, a path or a secret. */
  message: string;
  /** For operators (stored, logged, `probe --json`); may hold private values, never published. */
  details: Record<string, DetailValue>;
}

/** The check as the runner sees it: durations in ms, schedule resolved. */
export interface CheckBase {
  id: string;
  kind: string;
  name: string | undefined;
  component: string;
  schedule: Schedule;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  confirm: { down: number; up: number };
  public: boolean;
  /** How many locations must agree on its status (src/locations/quorum.ts); absent: its component's rule, else majority. */
  quorum?: QuorumRule | undefined;
}

export interface Probe<C extends CheckBase = CheckBase> {
  kind: C['kind'];
  /** The check as written in probes/checks/*.yaml, `kind` included, normalised to C. */
  schema: z.ZodType<C, unknown>;
  /** Resolves, never rejects; ends by check.timeoutMs or when `signal` aborts. */
  run(check: C, signal: AbortSignal): Promise<CheckResult>;
  /** Every value of the check that names a target (host, URL, path): private unless `public: true`. */
  targets(check: C): string[];
}

// ---------------------------------------------------------------------------------------------
// Schema pieces shared by every kind.

export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lowercase letters, digits and dashes, e.g. chat-node-1' });

/** A duration with a unit ("250ms", "10s") → ms, refused outside `limit` (see DURATION_LIMITS for each key's). */
export function durationWithin(limit: DurationLimit) {
  return z.string({ error: 'must be a duration with a unit, e.g. 10s or 250ms' }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      const fix = 'write it with a unit, e.g. 10s, 250ms or 5m';
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration; ${fix}`, params: { valueFree: `is not a duration; ${fix}` } });
      return z.NEVER;
    }
    if (ms < limit.minMs || ms > limit.maxMs) {
      const range = `between ${formatDuration(limit.minMs)} and ${formatDuration(limit.maxMs)}`;
      ctx.addIssue({ code: 'custom', message: `must be ${range}, not ${JSON.stringify(text)}`, params: { hint: limit.why, valueFree: `must be ${range}` } });
      return z.NEVER;
    }
    return ms;
  });
}

/** Any duration a timer waits for: positive and within what setTimeout honours. */
export const durationSchema = durationWithin(DURATION_LIMITS.timer);

/** A PostgreSQL connection string (the store's, a check's); anything else fails only later, at connect time. */
export const postgresUrlSchema = z
  .string()
  .min(1)
  .refine(isPostgresUrl, { error: 'must be a postgres:// or postgresql:// connection string, e.g. postgres://statuspost@db.internal.example:5432/status' });

function isPostgresUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false; // not a URL at all: the answer to the question asked
  }
}

// A port may come from the environment (port: ${REDIS_PORT}), where every value is a string.
export const portSchema = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.number({ error: 'must be a port number, 1 to 65535' }).int().min(1, { error: 'must be a port number, 1 to 65535' }).max(65_535, { error: 'must be a port number, 1 to 65535' }),
);

const scheduleSchema = z.string().transform((text, ctx) => {
  const schedule = toSchedule(text);
  if ('problem' in schedule) {
    ctx.addIssue({
      code: 'custom',
      message: schedule.problem,
      params: { valueFree: 'is not a usable schedule: give an interval that divides a minute, an hour or a day (30s, 5m, 1h), or a cron expression' },
    });
    return z.NEVER;
  }
  return schedule;
});

/**
 * How many locations must agree on a status before it is believed: `majority` (more than half of
 * site.locations) or `{ min: n }`. Only read when site.locations lists two or more (rules.ts).
 */
export const quorumSchema = z.union([
  z.literal('majority'),
  z.strictObject({ min: z.number({ error: 'must be a whole number of locations, e.g. { min: 2 }' }).int().min(1, { error: 'must be at least 1' }) }),
], { error: 'must be majority or { min: N }, e.g. { min: 2 }' });

/** Keys every check has; each kind spreads this into its own strict object. */
export const checkBaseShape = {
  id: idSchema,
  name: z.string().min(1).optional(),
  component: idSchema,
  schedule: scheduleSchema.default(toSchedule('60s') as Schedule),
  timeout: durationWithin(DURATION_LIMITS.timeout).default(10_000),
  retries: z.number().int().min(0).max(5).default(0),
  retryDelay: durationWithin(DURATION_LIMITS.retryDelay).default(1_000),
  confirm: z
    .strictObject({
      down: z.number().int().min(1).max(20).default(2),
      up: z.number().int().min(1).max(20).default(1),
    })
    .default({ down: 2, up: 1 }),
  public: z.boolean().default(false),
  quorum: quorumSchema.optional(),
};

interface WrittenBase {
  id: string;
  kind: string;
  name?: string | undefined;
  component: string;
  schedule: Schedule;
  timeout: number;
  retries: number;
  retryDelay: number;
  confirm: { down: number; up: number };
  public: boolean;
  quorum?: QuorumRule | undefined;
}

/** Written shape → runtime shape: unit-carrying names for the durations. */
export function normalizeBase<W extends WrittenBase>({ timeout, retryDelay, name, schedule, ...rest }: W) {
  return { ...rest, name, schedule: staggerSchedule(schedule, rest.id), timeoutMs: timeout, retryDelayMs: retryDelay };
}

// ---------------------------------------------------------------------------------------------
// Result builders: every probe reports through these, so results always have the same shape.

interface ResultFields {
  startedAt: number;
  latencyMs?: number | null;
  message: string;
  details?: Record<string, DetailValue>;
}

export function resultOf(check: Pick<CheckBase, 'id' | 'kind'>, status: ProbeStatus, fields: ResultFields): CheckResult {
  return {
    checkId: check.id,
    kind: check.kind,
    status,
    startedAt: fields.startedAt,
    latencyMs: fields.latencyMs === undefined || fields.latencyMs === null ? null : roundMs(fields.latencyMs),
    message: fields.message,
    details: fields.details ?? {},
  };
}

export const up = (check: Pick<CheckBase, 'id' | 'kind'>, fields: ResultFields) => resultOf(check, 'up', fields);
export const degraded = (check: Pick<CheckBase, 'id' | 'kind'>, fields: ResultFields) => resultOf(check, 'degraded', fields);
export const down = (check: Pick<CheckBase, 'id' | 'kind'>, fields: ResultFields) => resultOf(check, 'down', fields);

export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Milliseconds since `t0` (a performance.now() reading). */
export function since(t0: number): number {
  return roundMs(performance.now() - t0);
}

/** Latency as published: "under 1 ms" or whole milliseconds. */
export function formatLatency(ms: number): string {
  return ms < 1 ? 'under 1 ms' : `${Math.round(ms)} ms`;
}
