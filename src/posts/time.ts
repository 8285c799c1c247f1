// Post times are written as the author wrote them: with an offset (2012-03-24T22:00:00-08:00, or Z),
// or as a wall-clock time in the post's IANA `timezone` (2012-03-24T22:00). A time with neither is
// refused: cState's zone-less times are the mistake this avoids. Stored and published in UTC.

const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

export type TimeProblem =
  | { kind: 'format' }
  | { kind: 'no-zone' }
  /** Fields that name no real instant (2024-02-30, 24:61, +25:00): Date.parse and Date.UTC would roll them over. */
  | { kind: 'impossible'; why: string }
  | { kind: 'skipped'; zone: string }
  | { kind: 'ambiguous'; zone: string; offsets: [string, string] };

/** Epoch ms, or why the text is not a usable time. */
export function parsePostTime(text: string, zone: string | undefined): number | TimeProblem {
  const withOffset = WITH_OFFSET.exec(text);
  if (withOffset) {
    const [, y, mo, d, h, mi, s, sign, oh, om] = withOffset;
    const why = impossibleField(toWallTime(y, mo, d, h, mi, s)) ?? impossibleOffset(sign, oh, om);
    if (why) return { kind: 'impossible', why };
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? { kind: 'format' } : ms;
  }
  const wall = WALL_CLOCK.exec(text);
  if (!wall) return { kind: 'format' };
  const [, y, mo, d, h, mi, s] = wall;
  const fields = toWallTime(y, mo, d, h, mi, s);
  const why = impossibleField(fields);
  if (why) return { kind: 'impossible', why };
  if (zone === undefined) return { kind: 'no-zone' };
  return zonedToUtc(fields, zone);
}

function toWallTime(...parts: Array<string | undefined>): WallTime {
  const [year, month, day, hour, minute, second] = parts.map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number, number];
  return { year, month, day, hour, minute, second };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Days in `month` (1-12) of `year`, leap years included. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why the fields name no real time, or undefined. Checked before any Date arithmetic, which would roll over. */
function impossibleField({ year, month, day, hour, minute, second }: WallTime): string | undefined {
  // Date.UTC reads years 0-99 as 1900-1999, and no status post predates 1970.
  if (year < 1970) return 'statuspost reads years from 1970 on';
  if (month < 1 || month > 12) return `there is no month ${String(month).padStart(2, '0')}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour > 23) return 'hours run from 00 to 23 (write 00:00 of the next day for midnight)';
  if (minute > 59) return 'minutes run from 00 to 59';
  if (second > 59) return 'seconds run from 00 to 59';
  return undefined;
}

/** Offsets in use run from -12:00 to +14:00 (Kiribati). */
function impossibleOffset(sign: string | undefined, hours: string | undefined, minutes: string | undefined): string | undefined {
  if (sign === undefined) return undefined; // Z
  const total = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) > 59 || (sign === '+' ? total > 14 * 60 : total > 12 * 60)) return `offsets run from -12:00 to +14:00, not ${sign}${hours}:${minutes}`;
  return undefined;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The UTC instant at which `zone`'s clocks show `wall`; refuses times a DST change skips or repeats. */
export function zonedToUtc(wall: WallTime, zone: string): number | TimeProblem {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // Almost always no change of offset lies within a day either side: then the answer is direct.
  const before = offsetAt(asUtc - 86_400_000, zone);
  if (before === offsetAt(asUtc + 86_400_000, zone)) return asUtc - before;
  // Near a change the offset can only be one of those in force a day either side; try each.
  const candidates = new Set([offsetAt(asUtc - 86_400_000, zone), offsetAt(asUtc, zone), offsetAt(asUtc + 86_400_000, zone)]);
  const matches = [...candidates].map((offset) => asUtc - offset).filter((instant) => offsetAt(instant, zone) === asUtc - instant);
  const unique = [...new Set(matches)].sort((a, b) => a - b);
  if (unique.length === 1) return unique[0]!;
  if (unique.length === 0) return { kind: 'skipped', zone };
  return { kind: 'ambiguous', zone, offsets: [formatOffset(asUtc - unique[0]!), formatOffset(asUtc - unique[1]!)] };
}

/** Milliseconds `zone` is ahead of UTC at `instant`. */
export function offsetAt(instant: number, zone: string): number {
  const parts = zonedParts(instant, zone);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(instant / 1000) * 1000;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, found);
  }
  return found;
}

function partsFromIntl(instant: number, zone: string): WallTime {
  const parts = formatter(zone).formatToParts(instant);
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: value('year'), month: value('month'), day: value('day'), hour: value('hour'), minute: value('minute'), second: value('second') };
}

/** Six hours: no zone changes its offset twice within one, so equal offsets at both ends mean none in between. */
const BUCKET_MS = 6 * 3_600_000;
/** A zone's UTC offset at the start of each bucket asked about (Intl is slow; offsets rarely change). */
const offsets = new Map<string, number>();

function bucketOffset(bucketStart: number, zone: string): number {
  const key = `${zone}\u0000${bucketStart}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const wall = partsFromIntl(bucketStart, zone);
    offset = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - bucketStart;
    if (offsets.size >= 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/**
 * The wall-clock time in `zone` at `instant`. When the zone's offset is the same at both ends of the
 * instant's six-hour bucket, no transition falls inside it and UTC arithmetic gives the answer;
 * otherwise (a bucket holding a transition) Intl is asked directly.
 */
export function zonedParts(instant: number, zone: string): WallTime {
  const start = Math.floor(instant / BUCKET_MS) * BUCKET_MS;
  const offset = bucketOffset(start, zone);
  if (offset !== bucketOffset(start + BUCKET_MS, zone) || !Number.isFinite(instant)) return partsFromIntl(instant, zone);
  const wall = new Date(instant + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const minutes = Math.abs(ms) / 60_000;
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** "2012-03-24" in `zone`: the date a post's file name must carry. */
export function zonedDate(instant: number, zone: string): string {
  const { year, month, day } = zonedParts(instant, zone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "2012-03-24T22:00:00-08:00": an instant as the author's clock shows it. */
export function formatZoned(instant: number, zone: string): string {
  const p = zonedParts(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}${formatOffset(offsetAt(instant, zone))}`;
}

/** "2012-03-24T22:00": the wall clock of `zone` at `instant`, minutes precision, as authors write it. */
export function formatWallClock(instant: number, zone: string): string {
  const p = zonedParts(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}
