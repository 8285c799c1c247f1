// statuspost as a user gets it from the registry: the files of `npm pack` (package.json "files"),
// unpacked into a project's node_modules/statuspost, building that project's site. The site is built
// by Astro from the package (its pages, astro.config.mjs, public/ with the favicon and the webhook's
// JSON Schema, docs/uptime.md), never from the user's project, so each of those must be packed.
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('an installed statuspost', () => {
  it(
    'builds a project\'s site with the favicon and the webhook\'s JSON Schema, from the packed files alone',
    async () => {
      const work = await tempDir('statuspost-installed-');
      // --ignore-scripts: the CLI is built already (npm run build:cli), and packing must not rebuild it meanwhile.
      const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo, maxBuffer: 1 << 26 });
      const filename = (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename;
      const installed = join(work, 'project/node_modules/statuspost');
      await mkdir(installed, { recursive: true });
      await run('tar', ['-xzf', join(work, filename), '-C', installed, '--strip-components=1']);
      // Its dependencies, as npm would install them (from this checkout: no registry in tests).
      await symlink(join(repo, 'node_modules'), join(installed, 'node_modules'), 'dir');

      const project = join(work, 'project');
      await cp(join(repo, 'probes'), join(project, 'probes'), { recursive: true });
      await cp(join(repo, 'content'), join(project, 'content'), { recursive: true });
      // The user's project has no public/ of its own: what the site serves from there comes from the package.
      const build = await run(process.execPath, [join(installed, 'bin/statuspost.mjs'), 'build', '--root', project, '--json'], {
        cwd: project,
        env: { ...process.env, NO_COLOR: '1' },
        maxBuffer: 1 << 26,
      }).catch((error: { code?: number; stdout?: string; stderr?: string }) => ({ ...error, failed: true }));
      expect('failed' in build ? `exit ${build.code}: ${build.stderr}` : '').toBe('');
      const site = join(project, 'public-site');
      for (const version of ['v1', 'v2']) {
        expect(await readFile(join(site, `schemas/notify-webhook-${version}.json`), 'utf8')).toBe(await readFile(join(repo, `public/schemas/notify-webhook-${version}.json`), 'utf8'));
      }
      expect(await readFile(join(site, 'favicon.svg'), 'utf8')).toBe(await readFile(join(repo, 'public/favicon.svg'), 'utf8'));
      expect(await readFile(join(site, 'about/uptime/index.html'), 'utf8')).toContain('partial_outage × 0.3');
    },
    BUILD_MS,
  );
});
