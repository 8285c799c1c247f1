// The build writes .br and .gz beside the site's text files, after its leak scan and before the swap,
// and a republish takes the unchanged pages' siblings from the published build instead of
// compressing them again.
import { execFile } from 'node:child_process';
import { cp, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { filesUnder } from '../../src/publish/scan.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const build = (root: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], { cwd: repo }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );

describe('statuspost build precompression', () => {
  it('publishes .br and .gz beside pages and feeds, and a republish links the unchanged pages\' siblings', async () => {
    const root = await tempDir('statuspost-site-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true });
    const first = await build(root);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const before = await realpath(join(root, 'public-site'));
    const files = filesUnder(before);
    // The count printed is the site's files, siblings and the build's own bookkeeping aside.
    expect(first.stdout).toContain(`: ${files.filter((f) => !/\.(br|gz)$/.test(f) && !f.startsWith('.statuspost/')).length} files in`);
    for (const path of ['index.html', 'rss.xml', 'api/v2/summary.json', 'incidents/2014-01-21-api-certificate-expired/index.html']) {
      const original = await readFile(join(before, path));
      expect(brotliDecompressSync(await readFile(join(before, `${path}.br`))).equals(original)).toBe(true);
      expect(gunzipSync(await readFile(join(before, `${path}.gz`))).equals(original)).toBe(true);
    }
    expect(files.filter((f) => f.startsWith('.statuspost/') && /\.(br|gz)$/.test(f))).toEqual([]);

    const second = await build(root);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/\(0 post pages rendered, \d+ unchanged reused\)/);
    const after = await realpath(join(root, 'public-site'));
    expect(after).not.toBe(before);
    const page = 'incidents/2014-01-21-api-certificate-expired/index.html';
    for (const sibling of [`${page}.br`, `${page}.gz`]) {
      expect((await stat(join(after, sibling))).ino).toBe((await stat(join(before, sibling))).ino);
    }
  });
});
