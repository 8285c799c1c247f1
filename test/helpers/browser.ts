// Debian's Chromium driven by playwright-core (never a browser download). A missing Chromium fails
// under CI=true and skips elsewhere, with the reason.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { onTestFinished } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The environment without libfaketime: when the suite runs with its clock moved (test/moved-clock.mjs,
 * `faketime`), Chromium aborts at start ("clock_gettime(CLOCK_REALTIME) failed"). The browser only
 * displays what the build made under the moved clock, so it may keep the real one.
 */
function realClockEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
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

export async function openBrowser(options: Pick<BrowserContextOptions, 'javaScriptEnabled' | 'colorScheme' | 'viewport' | 'timezoneId'> = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'statuspost-chromium-')), {
    ...options,
    executablePath: CHROMIUM,
    env: realClockEnv(process.env),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onTestFinished(() => context.close());
  return context;
}
