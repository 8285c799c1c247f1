// A check's schedule is an interval ("30s", "5m") or a cron expression; either way node-cron runs it.
// Intervals become cron expressions aligned to the clock, so every location probes at the same instants.
import cron from 'node-cron';
import { parseDuration } from './duration.ts';

export interface Schedule {
  /** node-cron expression, six fields (seconds first). */
  cron: string;
  /** The nominal spacing between runs, used for gap limits and lateness. */
  intervalMs: number;
  /** Written as an interval (not a cron expression), so its runs may be placed anywhere in the interval. */
  interval: boolean;
}

export function toSchedule(text: string): Schedule | { problem: string } {
  const trimmed = text.trim();
  const ms = parseDuration(trimmed);
  if (ms !== undefined) return intervalToSchedule(trimmed, ms);
  if (/^\d/.test(trimmed) && trimmed.split(/\s+/).length === 1) {
    return { problem: `"${text}" is not a duration; write it with a unit, e.g. 30s or 5m, or give a cron expression` };
  }
  const detail = cron.validateDetailed(trimmed);
  if (!detail.valid) {
    const reasons = detail.errors.map((error) => error.message).join('; ');
    return { problem: `"${text}" is neither an interval (e.g. 30s) nor a valid cron expression${reasons ? ` (${reasons})` : ''}` };
  }
  const fields = trimmed.split(/\s+/);
  const sixFields = fields.length === 5 ? `0 ${trimmed}` : trimmed;
  return { cron: sixFields, intervalMs: estimateInterval(sixFields), interval: false };
}

function intervalToSchedule(text: string, ms: number): Schedule | { problem: string } {
  const hint = 'an interval must divide a minute, an hour or a day evenly: 5s, 10s, 15s, 20s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 6h, 12h, 1d';
  const s = ms / 1000;
  if (!Number.isInteger(s) || s < 1) return { problem: `schedule "${text}" is shorter than a second or not whole seconds; ${hint}` };
  if (s < 60 && 60 % s === 0) return { cron: s === 1 ? '* * * * * *' : `*/${s} * * * * *`, intervalMs: ms, interval: true };
  const m = s / 60;
  if (Number.isInteger(m) && m < 60 && 60 % m === 0) return { cron: m === 1 ? '0 * * * * *' : `0 */${m} * * * *`, intervalMs: ms, interval: true };
  const h = s / 3600;
  if (Number.isInteger(h) && h < 24 && 24 % h === 0) return { cron: h === 1 ? '0 0 * * * *' : `0 0 */${h} * * *`, intervalMs: ms, interval: true };
  if (s === 86_400) return { cron: '0 0 0 * * *', intervalMs: ms, interval: true };
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

/**
 * Places an interval schedule at a fixed offset inside its interval, chosen from the check's id: 300
 * checks "every 10s" then start 30 a second instead of 300 at once (which made runs 650 ms late in
 * bench/schedule), and every location still probes a given check at the same instants.
 * Cron expressions are left exactly as written.
 */
export function staggerSchedule(schedule: Schedule, key: string): Schedule {
  if (!schedule.interval) return schedule;
  const seconds = schedule.intervalMs / 1000;
  if (seconds <= 1) return schedule;
  const offset = hash(key) % seconds; // whole seconds into the interval
  const second = offset % 60;
  const minute = Math.floor(offset / 60) % 60;
  const hour = Math.floor(offset / 3_600);
  let cron: string;
  if (seconds < 60) cron = `${second}-59/${seconds} * * * * *`;
  else if (seconds < 3_600) cron = `${second} ${minute}-59/${seconds / 60} * * * *`;
  else if (seconds < 86_400) cron = `${second} ${minute} ${hour}-23/${seconds / 3_600} * * *`;
  else cron = `${second} ${minute} ${hour} * * *`;
  return { ...schedule, cron };
}

/** FNV-1a: small, stable across runs and machines. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
