// The time a command writes into a post for "now": to the second (two updates a few seconds apart
// stay in order), on the post's own wall clock as an author would write it (2026-11-28T22:00:15),
// and with the offset where the wall clock alone would not name one instant: in the hour a
// daylight-saving change repeats, or in a post with no `timezone:` of its own. Pure.
import { formatZoned, parsePostTime, zonedParts } from './time.ts';

/**
 * `instant` (epoch ms; milliseconds dropped) as written in a post whose times are read in `zone`.
 * `wallClockReadable`: the post names `zone` as its `timezone:`, so a time without an offset is read in it.
 */
export function stampTime(instant: number, zone: string, wallClockReadable: boolean): string {
  const second = Math.floor(instant / 1000) * 1000;
  const zoned = formatZoned(second, zone);
  if (!wallClockReadable) return zoned;
  const p = zonedParts(second, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  const wall = `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
  return parsePostTime(wall, zone) === second ? wall : zoned;
}

/** The instant a command is asked to stamp: `--at WHEN` as written (read in `zone`), or the clock. */
export function instantOf(text: string | undefined, zone: string, now: number): number | undefined {
  if (text === undefined) return now;
  const parsed = parsePostTime(text, zone);
  return typeof parsed === 'number' ? parsed : undefined;
}
