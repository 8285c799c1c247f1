// Drafts are never published: a site built from a project holding a draft incident and a draft window
// has neither one's title nor slug in any file it wrote (compressed copies read too); once published,
// both are there.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDERS } from '../../src/posts/wording.ts';
import { statuspost } from '../helpers/cli.ts';
import { utcTime } from '../helpers/dates.ts';
import { tempProject } from '../helpers/temp.ts';
import { BUILDS_MS } from '../helpers/timeouts.ts';

/** Every file under `folder` as text, compressed copies decompressed. */
async function everyFile(folder: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    const text = path.endsWith('.gz') ? gunzipSync(bytes) : path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes;
    out.set(path, text.toString('utf8'));
  }
  return out;
}

const holding = (files: Map<string, string>, needle: string) => [...files].filter(([, text]) => text.includes(needle)).map(([path]) => path);

describe('drafts and the build', () => {
  it('leaves every draft out of every published file, and publishes it once `publish` removed the flag', async () => {
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\ntimezone: America/Los_Angeles\n',
      'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n',
    });
    const hourAgo = utcTime(Date.now() - 3_600_000);
    const shown = await statuspost(['new', 'incident', '--title', 'Visible cache hiccup', '--components', 'cache', '--start', hourAgo, '--root', root]);
    const draftIncident = await statuspost(['new', 'incident', '--title', 'Quokka draft incident', '--components', 'cache', '--start', hourAgo, '--draft', '--root', root]);
    // A window the author left with placeholders: a draft whatever its dates.
    const draftWindow = await statuspost(['new', 'maintenance', '--title', 'Wombat draft window', '--components', 'cache', '--start', utcTime(Date.now() + 86_400_000), '--root', root]);
    for (const ran of [shown, draftIncident, draftWindow]) expect(ran.code).toBe(0);
    const slugs = [draftIncident, draftWindow].map((ran) => ran.stdout.trim().replace(/^.*\//, '').replace(/\.md$/, ''));
    await statuspost(['update', slugs[0]!, '--status', 'identified', '--message', 'Quokka found.', '--root', root]);

    const out = join(root, 'site');
    const built = await statuspost(['build', '--out', out, '--root', root]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const files = await everyFile(out);
    expect(files.size).toBeGreaterThan(10);
    expect(holding(files, 'Visible cache hiccup').length).toBeGreaterThan(3); // the page, RSS, the API… (the scan reads them)
    for (const needle of ['Quokka', 'Wombat', ...slugs, PLACEHOLDERS.affected]) expect({ needle, files: holding(files, needle) }).toEqual({ needle, files: [] });

    // Published, both appear: the same scan would have found them.
    expect((await statuspost(['publish', slugs[0]!, '--root', root])).code).toBe(0);
    const windowFile = join(root, draftWindow.stdout.trim());
    const text = await readFile(windowFile, 'utf8');
    await writeFile(windowFile, text.replace(PLACEHOLDERS.affected, 'Chat reconnects.').replace(PLACEHOLDERS.unaffected, 'Sign-in works.').replace(PLACEHOLDERS.maintenanceBody, 'Wombat work.'));
    expect((await statuspost(['publish', slugs[1]!, '--root', root])).code).toBe(0);
    expect((await statuspost(['build', '--out', out, '--root', root])).code).toBe(0);
    const after = await everyFile(out);
    for (const needle of ['Quokka draft incident', 'Wombat draft window', ...slugs]) expect(holding(after, needle).length).toBeGreaterThan(0);
  }, BUILDS_MS);
});
