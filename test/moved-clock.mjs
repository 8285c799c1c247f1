#!/usr/bin/env node
// Runs the tests whose subject is time once more with the system clock moved (Debian's faketime):
// more than a year ahead, one minute before a daylight-saving change in the demo site's zone, so a
// date written into a test, a fixture or the code turns CI red the day it is written, not weeks
// later. The date is computed from today's clock, so this pass never goes stale itself.
//   node test/moved-clock.mjs            the first DST change in America/Los_Angeles > 366 days ahead
//   node test/moved-clock.mjs --at "2027-12-31 23:59:30"   any date (UTC), for a one-off check
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

/** Files whose subject is time: post state and times, the status model, feeds, the clock trigger, the demo's days. */
export const TIME_TESTS = [
  'test/posts/',
  'test/status/',
  'test/locations/quorum.test.ts',
  'test/locations/verdicts.test.ts',
  'test/locations/follow.test.ts',
  'test/feeds/',
  'test/demo/simulate.test.ts',
  'test/client/hints.test.ts',
  'test/client/banner-client.test.ts',
  'test/daemon/publish.test.ts',
  'test/daemon/scheduler.test.ts',
  'test/cli/new.test.ts',
  'test/cli/update.test.ts',
  'test/cli/maintenance.test.ts',
  'test/postmortem/',
  'test/autodraft/plan.test.ts',
  'test/site/past-days.test.ts',
  'test/cli/demo.test.ts',
  'test/site/home.test.ts',
];

const ZONE = 'America/Los_Angeles';

function offsetMinutes(instant, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  );
  return (Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) - Math.floor(instant / 60_000) * 60_000) / 60_000;
}

/** The first instant, more than `afterMs` from `now`, at which `zone` changes its UTC offset (to the minute). */
export function nextOffsetChange(now, zone, afterMs) {
  let t = Math.floor((now + afterMs) / 3_600_000) * 3_600_000;
  const first = offsetMinutes(t, zone);
  while (offsetMinutes(t + 3_600_000, zone) === first) t += 3_600_000;
  // The change lies within this hour: find its minute.
  while (offsetMinutes(t + 60_000, zone) === first) t += 60_000;
  return t + 60_000;
}

const { values } = parseArgs({ options: { at: { type: 'string' } } });
const at = values.at ?? new Date(nextOffsetChange(Date.now(), ZONE, 366 * 86_400_000) - 60_000).toISOString().slice(0, 19).replace('T', ' ');
const probe = spawnSync('faketime', ['-f', '+0', 'true']);
if (probe.error) {
  console.error('moved-clock: needs Debian\'s faketime (apt-get install faketime)');
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
console.log(`moved-clock: the tests whose subject is time, with the clock at ${at} UTC${values.at ? '' : ` (${ZONE} changes its offset a minute later)`}`);
const run = spawnSync('faketime', [at, 'npx', 'vitest', 'run', '--config', 'test/vitest.config.ts', ...TIME_TESTS], {
  stdio: 'inherit',
  // The monotonic clock stays real, so timers and timeouts keep their length; TZ=UTC reads the date as UTC.
  env: { ...process.env, TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
});
process.exit(run.status ?? 1);
