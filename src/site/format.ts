// Times and statuses as readers see them. Every time is shown in the author's zone and in UTC, with a
// machine-readable datetime, so a small script can also show the reader's own zone. The words and
// formats of each language are in src/i18n; the exports here are the English ones, for the operators'
// alerts (src/notify), which stay in English whatever the site's language.
import { en } from '../i18n/en.ts';
import { words } from '../i18n/messages.ts';
import type { ComponentStatus } from '../posts/types.ts';

export const formatTime = (ms: number, zone: string): string => words('en').time(ms, zone);

export const iso = (ms: number) => new Date(ms).toISOString();

export const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: en['status.operational'],
  degraded_performance: en['status.degraded_performance'],
  partial_outage: en['status.partial_outage'],
  major_outage: en['status.major_outage'],
  under_maintenance: en['status.under_maintenance'],
};

export const percent = (value: number | null): string => words('en').percent(value);

/** "43% measured", and "under 1% measured" rather than a misleading "0%" for a few minutes of data. */
export const measured = (coverage: number): string => words('en').measured(coverage);
