// Debian's Chromium driven by playwright-core (never a browser download). A missing Chromium fails
// under CI=true and skips elsewhere, with the reason.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { realClockEnv } from './real-clock.ts';

export const CHROMIUM = '/usr/bin/chromium';

export async function openBrowser(options: Pick<BrowserContextOptions, 'javaScriptEnabled' | 'colorScheme' | 'viewport' | 'timezoneId' | 'hasTouch' | 'isMobile'> = {}): Promise<BrowserContext> {
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
