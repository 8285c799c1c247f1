// Size limits on what statuspost reads, in one place with their reasons. Each is far above what a
// real project meets, and low enough that a runaway or hostile file cannot take the build (or the
// daemon, which reads content/ again after every edit) into minutes and gigabytes: a 50 MB
// postmortem once took a build 127 s and 2.9 GB and published a 78 MB page and rss.xml.

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * One post file. A long real postmortem is 20 to 60 KB of Markdown (the demo's are 2 to 5 KB), so
 * 1 MiB is some twenty times the longest; a larger file is a pasted log or a mistake.
 */
export const MAX_POST_BYTES = 1 * MIB;

/**
 * All posts together: the memory the daemon holds for content/ (and what each build renders) stays
 * under a bound. 64 MiB is some 15,000 long postmortems, or 6× the 10,000 generated posts the
 * build benchmark publishes.
 */
export const MAX_CONTENT_BYTES = 64 * MIB;

/** Post files in content/: each costs a page and an entry in every feed, however small it is. */
export const MAX_POST_FILES = 20_000;

/** One probes/*.yaml file: a file with a thousand checks is under 200 KB. */
export const MAX_CONFIG_FILE_BYTES = 1 * MIB;

/** "1.0 MiB", "50.0 MiB", "812 KiB", "312 bytes": a size as a message states it. */
export function formatSize(bytes: number): string {
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= KIB) return `${Math.round(bytes / KIB)} KiB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** The longest delay setTimeout honours: longer ones fire at once, with a TimeoutOverflowWarning. */
export const TIMER_MAX_MS = 2 ** 31 - 1;

export interface DurationLimit {
  minMs: number;
  maxMs: number;
  /** Why, for the hint of a value outside. */
  why: string;
}

/** Every duration key's range: what makes sense for it, and never more than its timer can wait. */
export const DURATION_LIMITS = {
  /** Any duration a timer waits for (degradedAfter, NTP offsets): positive, and within setTimeout's range. */
  timer: { minMs: 1, maxMs: 24 * DAY, why: 'a zero duration means nothing, and timers cannot wait longer than 24.8 days' },
  timeout: {
    minMs: 100,
    maxMs: 5 * MINUTE,
    why: 'a probe needs time for at least one round trip, and a target that takes longer than 5 minutes to answer is down',
  },
  retryDelay: { minMs: 10, maxMs: 5 * MINUTE, why: 'retries come soon after a failure, within the same schedule interval' },
  retention: {
    minMs: 2 * DAY,
    maxMs: 3650 * DAY,
    why: "raw results of the current day in every time zone are needed for its roll-up, and ten years is longer than any history a status page shows",
  },
  maintenanceWindow: { minMs: SECOND, maxMs: 366 * DAY, why: 'a window has a length, and one longer than a year is not maintenance' },
  /** probes/notify.yaml: how long the first change of a burst waits for the others before one message goes. */
  notifyGroupWait: { minMs: 0, maxMs: MINUTE, why: 'an alert held longer than a minute is a late alert; 0 sends each change on its own' },
  notifyRemindEvery: { minMs: MINUTE, maxMs: 7 * DAY, why: 'reminders more often than once a minute are noise, and one a week still says it is down' },
  notifyDeadAfter: {
    minMs: MINUTE,
    maxMs: 7 * DAY,
    why: 'a delivery needs time for a few retries, and one still failing after a week is news no one can use',
  },
  notifyConfirmWithin: { minMs: 10 * MINUTE, maxMs: 7 * DAY, why: 'a confirmation mail needs time to arrive, and a link should not stay valid for weeks' },
} as const satisfies Record<string, DurationLimit>;
