// Debian's Chromium driven by playwright-core (never a browser download), and a static server for a
// built site on loopback. A missing Chromium fails under CI=true and skips elsewhere, with the reason.
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { onTestFinished } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

export async function openBrowser(options: Pick<BrowserContextOptions, 'javaScriptEnabled' | 'colorScheme' | 'viewport'> = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'statuspost-chromium-')), {
    ...options,
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onTestFinished(() => context.close());
  return context;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.svg': 'image/svg+xml', '.txt': 'text/plain', '.json': 'application/json', '.xml': 'application/xml' };

/** Serves a folder on a free loopback port (a test stand-in until `statuspost serve` exists). */
export async function serveFolder(folder: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    let file = join(folder, path);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
    } catch {
      res.writeHead(404, { 'content-type': TYPES['.html']! }).end(await readFile(join(folder, '404.html')).catch(() => 'not found'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
