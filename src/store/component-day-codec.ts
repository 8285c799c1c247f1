// How both engines store a component day's segments: times in ms after a base (the smallest `from`,
// 0 when there are none) and small status codes, as JSON text. One codec, so the engines agree.
import { dayKey, type ComponentDay, type ComponentDayStatus } from './types.ts';

type ComponentStatus = NonNullable<ComponentDayStatus>;
const CODE: Readonly<Record<ComponentStatus, number>> = { operational: 0, degraded_performance: 1, partial_outage: 2, major_outage: 3 };
const NAME: readonly ComponentStatus[] = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'];

/** [from, to, status code or null], from and to in ms after the day's base. */
export type SegmentRow = [number, number, number | null];

/** Throws on an unknown status or a time that is not a number, so the whole batch rolls back. */
export function encodeSegments(day: ComponentDay): { base: number; segments: string } {
  let base = Infinity;
  for (const { from, to } of day.segments) {
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new Error(`cannot save ${nameOf(day)}: a segment time is not a number`);
    if (from < base) base = from;
  }
  base = base === Infinity ? 0 : Math.floor(base);
  const rows = day.segments.map(({ from, to, status }): SegmentRow => [from - base, to - base, codeOf(day, status)]);
  return { base, segments: JSON.stringify(rows) };
}

export function decodeSegments(base: number, rows: readonly SegmentRow[]): ComponentDay['segments'] {
  return rows.map(([from, to, code]) => ({ from: base + from, to: base + to, status: code === null ? null : NAME[code]! }));
}

function codeOf(day: ComponentDay, status: ComponentDayStatus): number | null {
  if (status === null) return null;
  if (!Object.hasOwn(CODE, status)) throw new Error(`cannot save ${nameOf(day)}: unknown status "${String(status)}"`);
  return CODE[status];
}

const nameOf = (day: ComponentDay) => `component ${day.componentId} at ${day.location} on ${dayKey(day.day)}`;
