// Dates for tests, derived from the clock the test runs under (never a literal that must match
// today): the suite runs on any day, and CI runs the time-dependent tests again with the clock moved.

const DAY_MS = 86_400_000;

/** "2026-11-20": the UTC calendar date of an instant. */
export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** "2026-11-20T10:05:00Z": an instant as a post time with an offset, to the second. */
export const utcTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The UTC date `days` days before `now` (default: the real clock). */
export const daysAgo = (days: number, now = Date.now()): string => utcDate(now - days * DAY_MS);
