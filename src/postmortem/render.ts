// The postmortem skeleton as Markdown: the measured parts (impact, timeline) filled from data, the
// author's parts as prompts (placeholders.ts). Every figure printed is one the status model gave;
// where it had no data the text says "no data", never a number. Pure: `now` is passed in.
import type { ComponentStatus, Incident } from '../posts/types.ts';
import { zonedParts } from '../posts/time.ts';
import { percent } from '../site/format.ts';
import type { ComponentImpact, Figure } from './impact.ts';
import { POSTMORTEM_PLACEHOLDERS } from './placeholders.ts';
import type { TimelineEntry } from './timeline.ts';

export interface SkeletonInput {
  incident: Incident;
  window: { from: number; to: number };
  now: number;
  siteTimezone: string;
  impact: readonly ComponentImpact[];
  timeline: readonly TimelineEntry[];
  /** Check id → the name readers see (as on the component pages). */
  checkNames: ReadonlyMap<string, string>;
  /** Check id → how many checks its component has, and how many locations have results in the store. */
  checksPerComponent: ReadonlyMap<string, number>;
  locations: readonly string[];
}

const ROWS: ReadonlyArray<[ComponentStatus | 'no_data', string]> = [
  ['operational', 'Operational'],
  ['degraded_performance', 'Degraded performance'],
  ['partial_outage', 'Partial outage'],
  ['major_outage', 'Major outage'],
  ['under_maintenance', 'Under maintenance'],
  ['no_data', 'No data'],
];

/** Minutes to a tenth, as the uptime page's day figures give them. */
export const minutes = (ms: number) => Math.round(ms / 6_000) / 10;

export function renderSkeleton(input: SkeletonInput): string {
  const { incident, window, now } = input;
  const zone = incident.timezone;
  const open = incident.resolvedAt === null;
  const lines: string[] = [];
  lines.push('## Impact', '');
  lines.push(
    `Measured by statuspost from the checks' results at ${bothZones(now, zone)}, by the uptime page's rules (time-weighted; see /about/uptime/). ` +
      `The incident ran from ${bothZones(window.from, zone)} ${open ? 'and was still open when this was measured' : `to ${bothZones(window.to, zone)}`}: ${minutes(window.to - window.from)} minutes. ` +
      'The minutes below are what the checks saw; the uptime figures are those the uptime page shows, where the incident\'s own statuses count while it speaks for a component.',
    '',
  );
  if (input.impact.length === 0) lines.push('The incident names no component, so nothing was measured for it.', '');
  for (const component of input.impact) {
    lines.push(`### ${md(component.name)}`, '');
    lines.push('| Status | Minutes |', '| --- | ---: |');
    for (const [key, label] of ROWS) {
      const ms = component.window.ms[key];
      if (key === 'under_maintenance' && ms === 0) continue; // checks never say it; a post could
      lines.push(`| ${label} | ${minutes(ms).toFixed(1)} |`);
    }
    lines.push('');
    const w = component.window;
    if (w.coverage === 0) lines.push('- No data: the checks recorded nothing during the incident, so its impact was not measured.');
    else if (w.ms.no_data > 0) lines.push(`- Measured for ${percentOf(w.coverage)} of the incident; no data for ${minutes(w.ms.no_data).toFixed(1)} minutes.`);
    else lines.push('- Measured for the whole incident.');
    for (const day of component.days) lines.push(`- Uptime on ${day.date} (a day in ${input.siteTimezone}): ${figure(day)}.`);
    const p = component.period;
    lines.push(`- Uptime over the ${30} days ${dateIn(p.from, input.siteTimezone)} to ${dateIn(Math.max(p.from, p.to - 1), input.siteTimezone)}: ${figure(p.with)} with the incident, ${figure(p.without)} with its window left out.`);
    const total = input.checksPerComponent.get(component.id) ?? 0;
    const saw = component.sawIt;
    lines.push(
      saw.checks.length === 0
        ? `- No check confirmed a degraded or down status during it (${plural(component.measuredBy.checks.length, 'check')} of ${total} had data).`
        : `- Seen by ${saw.checks.length} of ${plural(total, 'check')} (${saw.checks.map((id) => md(input.checkNames.get(id) ?? id)).join(', ')}) at ${saw.locations.length} of ${plural(input.locations.length, 'location')} (${saw.locations.map(md).join(', ')}).`,
    );
    lines.push('');
  }

  lines.push('## Timeline', '');
  lines.push(`Times in ${zone}, with UTC in brackets. Probe events are the confirmed changes of each check, dated by the confirmation rules of the status model.`, '');
  if (input.timeline.length === 0) lines.push('- No data: no update and no probe event.');
  for (const entry of input.timeline) lines.push(`- ${bothZones(entry.at, zone)}: ${describe(entry, input)}`);
  lines.push('');

  const [happened, why, changing] = POSTMORTEM_PLACEHOLDERS;
  lines.push('## What happened', '', happened, '');
  lines.push('## Why it happened', '', why, '');
  lines.push('## What we are changing', '', changing, '');
  return `${lines.join('\n')}`;
}

function describe(entry: TimelineEntry, input: SkeletonInput): string {
  if (entry.source === 'update') {
    const first = entry.body.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
    return `update (${entry.status}): ${first}`;
  }
  const name = md(input.checkNames.get(entry.checkId) ?? entry.checkId);
  const where = input.locations.length > 1 ? ` at ${md(entry.location)}` : '';
  switch (entry.kind) {
    case 'first-failing':
      return `${name}${where}: first failing result (${entry.status})`;
    case 'confirmed':
      return `${name}${where}: confirmed ${entry.status}`;
    case 'recovered':
      return `${name}${where}: recovered (first passing result${entry.confirmedAt !== undefined && entry.confirmedAt > entry.at ? `; confirmed at ${bothZones(entry.confirmedAt, input.incident.timezone)}` : ''})`;
  }
}

const figure = (f: Figure) => (f.percent === null ? 'no data' : `${percent(Math.round(f.percent * 1000) / 1000)} (${percentOf(f.coverage)} measured)`);
const percentOf = (share: number) => (share > 0 && share < 0.001 ? 'under 0.1%' : `${Math.round(share * 1000) / 10}%`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2026-12-01 14:03:12 Europe/Paris (2026-12-01 13:03:12 UTC)": the post's zone, then UTC. */
export function bothZones(instant: number, zone: string): string {
  return `${clock(instant, zone)} ${zone} (${clock(instant, 'UTC')} UTC)`;
}

function clock(instant: number, zone: string): string {
  const p = zonedParts(instant, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

const dateIn = (instant: number, zone: string) => clock(instant, zone).slice(0, 10);

/** A name as literal Markdown text: table pipes, emphasis and link brackets escaped. */
export function md(text: string): string {
  // Mid-line, only these can start markup; a name never begins a line here (#, -, + are safe).
  return text.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}
