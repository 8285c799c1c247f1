// A check's schedule is an interval ("30s", "5m") or a cron expression; either way node-cron runs it.
// Intervals become cron expressions aligned to the clock, so every location probes at the same instants.
import cron from 'node-cron';
import { parseDuration } from './duration.ts';

export interface Schedule {
  /** node-cron expression, six fields (seconds first). */
  cron: string;
  /** The nominal spacing between runs, used for gap limits and lateness. */
  intervalMs: number;
}

export function toSchedule(text: string): Schedule | { problem: string } {
  const trimmed = text.trim();
  const ms = parseDuration(trimmed);
  if (ms !== undefined) return intervalToSchedule(trimmed, ms);
  if (/^\d/.test(trimmed) && trimmed.split(/\s+/).length === 1) {
    return { problem: `"${text}" is not a duration; write it with a unit, e.g. 30s or 5m, or give a cron expression` };
  }
  const detail = cron.validateDetailed?.(trimmed) as { valid?: boolean; message?: string } | undefined;
  const valid = detail ? detail.valid !== false && !detail.message : cron.validate(trimmed);
  if (!valid) {
    return {
      problem: `"${text}" is neither an interval (e.g. 30s) nor a valid cron expression${detail?.message ? ` (${detail.message})` : ''}`,
    };
  }
  const fields = trimmed.split(/\s+/);
  const sixFields = fields.length === 5 ? `0 ${trimmed}` : trimmed;
  return { cron: sixFields, intervalMs: estimateInterval(sixFields) };
}

function intervalToSchedule(text: string, ms: number): Schedule | { problem: string } {
  const hint = 'an interval must divide a minute, an hour or a day evenly: 5s, 10s, 15s, 20s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 6h, 12h, 1d';
  const s = ms / 1000;
  if (!Number.isInteger(s) || s < 1) return { problem: `schedule "${text}" is shorter than a second or not whole seconds; ${hint}` };
  if (s < 60 && 60 % s === 0) return { cron: s === 1 ? '* * * * * *' : `*/${s} * * * * *`, intervalMs: ms };
  const m = s / 60;
  if (Number.isInteger(m) && m < 60 && 60 % m === 0) return { cron: m === 1 ? '0 * * * * *' : `0 */${m} * * * *`, intervalMs: ms };
  const h = s / 3600;
  if (Number.isInteger(h) && h < 24 && 24 % h === 0) return { cron: h === 1 ? '0 0 * * * *' : `0 0 */${h} * * *`, intervalMs: ms };
  if (s === 86_400) return { cron: '0 0 0 * * *', intervalMs: ms };
  return { problem: `schedule "${text}" cannot run at even clock instants; ${hint}` };
}

/** Smallest spacing between the next few runs of a cron expression. */
function estimateInterval(expression: string): number {
  const task = cron.createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns?.(6) ?? [];
    let smallest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < runs.length; i++) {
      smallest = Math.min(smallest, runs[i]!.getTime() - runs[i - 1]!.getTime());
    }
    return Number.isFinite(smallest) ? smallest : 60_000;
  } finally {
    task.destroy();
  }
}
