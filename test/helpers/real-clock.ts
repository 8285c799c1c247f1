// When the suite runs with its clock moved (test/moved-clock.mjs, Debian's `faketime`), some
// programs a test starts cannot live with libfaketime: Chromium aborts at start ("clock_gettime
// (CLOCK_REALTIME) failed"), redis-server recurses into it and never listens, and a test that runs
// `faketime` itself must not stack it on the suite's. None is the subject of a date test (the
// browser shows what the build made under the moved clock; a Redis server's own clock is never
// read; the nested faketime sets its own date), so they are started with the real clock.

/** `env` without libfaketime's preload and settings. */
export function realClockEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('FAKETIME')) continue;
    if (key === 'LD_PRELOAD') {
      const kept = (value ?? '').split(/[: ]/).filter((lib) => lib !== '' && !lib.includes('faketime'));
      if (kept.length > 0) out[key] = kept.join(':');
      continue;
    }
    out[key] = value;
  }
  return out;
}
