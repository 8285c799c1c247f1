import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanForLeaks } from '../../src/publish/scan.ts';
import { tempDir } from '../helpers/temp.ts';

const privateValues = ['redis-7.internal.example', 'hunter2&"<pw>', 'https://chat.example.internal/health?token=a b'];

async function site(files: Record<string, string>) {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('scanForLeaks', () => {
  it('finds a private value written plainly, JSON-escaped, HTML-escaped or URL-encoded, in any file', async () => {
    const root = await site({
      'index.html': '<p>fine</p><p>hunter2&amp;&quot;&lt;pw&gt;</p>',
      'api/v2/summary.json': JSON.stringify({ note: 'hunter2&"<pw>' }),
      'rss.xml': '<link>https://status.example.org/?u=https%3A%2F%2Fchat.example.internal%2Fhealth%3Ftoken%3Da%20b</link>',
      'deep/a/b/banner.json': '{"x":"redis-7.internal.example"}',
    });
    const leaks = await scanForLeaks(root, privateValues);
    expect(leaks.map((l) => [l.file, l.valueIndex, l.part, l.form])).toEqual([
      ['api/v2/summary.json', 1, 'value', 'json'],
      ['deep/a/b/banner.json', 0, 'value', 'plain'],
      ['index.html', 1, 'value', 'html'],
      ['rss.xml', 2, 'value', 'url'],
      ['rss.xml', 2, 'host', 'plain'], // the URL's host is written as-is inside its encoding
    ]);
  });

  it('finds nothing in a clean site', async () => {
    const root = await site({ 'index.html': '<p>All Systems Operational</p>', 'feeds/banner.json': '{"items":[]}' });
    expect(await scanForLeaks(root, privateValues)).toEqual([]);
  });
});
