// Post times are written as the author wrote them: with an offset (2012-03-24T22:00:00-08:00, or Z),
// or as a wall-clock time in the post's IANA `timezone` (2012-03-24T22:00). A time with neither is
// refused: cState's zone-less times are the mistake this avoids. Stored and published in UTC.

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

export type TimeProblem =
  | { kind: 'format' }
  | { kind: 'no-zone' }
  | { kind: 'skipped'; zone: string }
  | { kind: 'ambiguous'; zone: string; offsets: [string, string] };

/** Epoch ms, or why the text is not a usable time. */
export function parsePostTime(text: string, zone: string | undefined): number | TimeProblem {
  if (WITH_OFFSET.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? { kind: 'format' } : ms;
  }
  const wall = WALL_CLOCK.exec(text);
  if (!wall) return { kind: 'format' };
  if (zone === undefined) return { kind: 'no-zone' };
  const [, y, mo, d, h, mi, s] = wall.map(Number) as [number, number, number, number, number, number, number];
  return zonedToUtc({ year: y, month: mo, day: d, hour: h, minute: mi, second: Number.isNaN(s) ? 0 : s }, zone);
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
