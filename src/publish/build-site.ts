// statuspost build: Snapshot → site data → Astro build into a fresh folder → checks (required
// pages, the leak scan) → atomic publish. Any failure leaves the published site as it was.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/load.ts';
import { StatuspostError } from '../errors.ts';
import { renderMarkdown } from '../posts/markdown.ts';
import { maintenanceState } from '../posts/state.ts';
import type { Post } from '../posts/types.ts';
import type { SiteData } from '../site/data.ts';
import type { Snapshot } from '../status/snapshot.ts';
import { scanForLeaks } from './scan.ts';
import { newBuildFolder, publish } from './swap.ts';

/** The statuspost package itself: Astro's root, where src/pages and astro.config.mjs live. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function toSiteData(snapshot: Snapshot, posts: readonly Post[], uptimeDoc: string, now: number): SiteData {
  const name = (id: string) => snapshot.components.find((c) => c.id === id)?.name ?? id;
  return {
    snapshot,
    uptimeDocHtml: renderMarkdown(uptimeDoc).html,
    incidents: posts.flatMap((post) =>
      post.kind !== 'incident'
        ? []
        : [
            {
              slug: post.slug,
              title: post.title,
              impact: post.impact,
              timezone: post.timezone,
              startedAt: post.startedAt,
              resolvedAt: post.resolvedAt,
              status: post.updates.filter((u) => u.at <= now).at(-1)?.status ?? 'investigating',
              components: Object.entries(post.components).map(([id, status]) => ({ id, name: name(id), status })),
              updates: post.updates.filter((u) => u.at <= now).map((u) => ({ at: u.at, status: u.status, html: renderMarkdown(u.body).html })),
              postmortemAt: post.postmortemAt,
              postmortemHtml: post.body && post.postmortemAt !== null && post.postmortemAt <= now ? renderMarkdown(post.body, { headingIdPrefix: 'pm-' }).html : null,
            },
          ],
    ),
    maintenance: posts.flatMap((post) =>
      post.kind !== 'maintenance' || post.announcedAt > now
        ? []
        : [
            {
              slug: post.slug,
              title: post.title,
              timezone: post.timezone,
              state: maintenanceState(post, now),
              announcedAt: post.announcedAt,
              startsAt: post.startsAt,
              endsAt: post.endsAt,
              components: post.components.map((id) => ({ id, name: name(id) })),
              affected: post.affected,
              unaffected: post.unaffected,
              signInBlocked: post.signInBlocked,
              updateRequired: post.updateRequired,
              updates: post.updates.filter((u) => u.at <= now).map((u) => ({ at: u.at, status: u.status, html: renderMarkdown(u.body).html })),
              html: renderMarkdown(post.body).html,
            },
          ],
    ),
  };
}

export interface BuildResult {
  folder: string;
  pages: number;
}

export async function buildAndPublish(options: { config: Config; snapshot: Snapshot; posts: readonly Post[]; out: string; now: number }): Promise<BuildResult> {
  const { config, snapshot, posts, out, now } = options;
  const uptimeDoc = await readFile(join(PACKAGE_ROOT, 'docs/uptime.md'), 'utf8');
  const data = toSiteData(snapshot, posts, uptimeDoc, now);
  const scratch = await mkdtemp(join(tmpdir(), 'statuspost-build-'));
  const folder = await newBuildFolder(out, now);
  try {
    const dataFile = join(scratch, 'site-data.json');
    await writeFile(dataFile, JSON.stringify(data));
    await runAstro(folder, config.site.baseUrl, dataFile);

    const required = ['index.html', '404.html', 'about/uptime/index.html', 'history/index.html', ...snapshot.components.map((c) => `components/${c.id}/index.html`)];
    const missing: string[] = [];
    for (const page of required) if (!(await exists(join(folder, page)))) missing.push(page);
    if (missing.length > 0) throw new StatuspostError('SP_BUILD_FAILED', `the build lacks ${missing.join(', ')}; nothing was published`);

    const leaks = await scanForLeaks(folder, config.privateValues);
    if (leaks.length > 0) {
      const where = leaks.map((leak) => `${leak.file} (private value #${leak.valueIndex + 1}, ${leak.form})`).join(', ');
      throw new StatuspostError('SP_BUILD_FAILED', `the build contains private values from probes/: ${where}; nothing was published`, {
        hint: 'a probe target, secret or internal address reached the output; mark the check public: true only if it is meant to be published',
      });
    }
    await publish(folder, out);
    return { folder, pages: required.length };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function runAstro(outDir: string, site: string, dataFile: string): Promise<void> {
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  process.env.STATUSPOST_SITE_DATA = dataFile;
  const { build } = await import('astro');
  try {
    await build({ root: PACKAGE_ROOT, outDir, site, logLevel: 'error' });
  } catch (error) {
    throw new StatuspostError('SP_BUILD_FAILED', `the site build failed: ${(error as Error).message}; nothing was published`, { cause: error });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
