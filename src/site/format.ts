// Times and statuses as readers see them. Every time is shown in the author's zone and in UTC, with a
// machine-readable datetime, so a small script can also show the reader's own zone.
import type { ComponentStatus } from '../posts/types.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatTime(ms: number, zone: string): string {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // en-US names the zones readers know ("PST", "PDT"); en-GB would say "GMT-8". One per zone:
    // making a formatter costs far more than using one, and a big archive formats thousands of times.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter.format(ms);
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

export function percent(value: number | null): string {
  return value === null ? 'no data' : `${value.toFixed(value === 100 ? 0 : 2)}%`;
}

/** "43% measured", and "under 1% measured" rather than a misleading "0%" for a few minutes of data. */
export function measured(coverage: number): string {
  if (coverage > 0 && coverage < 0.01) return 'under 1% measured';
  return `${Math.round(coverage * 100)}% measured`;
}
