// `statuspost build`: validate, compute the Snapshot, build the site into a fresh folder, check it,
// and publish it atomically. Any problem: list it, exit non-zero, and leave the published site alone.
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { errorToJson, ProblemsError } from '../../errors.ts';
import { loadPosts } from '../../posts/load.ts';
import { buildAndPublish } from '../../publish/build-site.ts';
import { gatherSnapshotInput } from '../../status/gather.ts';
import { incidentCharts as gatherIncidentCharts } from '../../postmortem/gather.ts';
import { buildSnapshot } from '../../status/snapshot.ts';
import { openStore } from '../../store/open.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, printProblems } from '../output.ts';

export const buildCommand: Command = {
  summary: 'build the status site and publish it atomically',
  usage: `Usage: statuspost build [--out DIR] [--root DIR] [--json]

Validates probes/ and content/ (any problem: all are listed and nothing is published), computes the
Snapshot from the store, builds the site with Astro into a fresh folder, checks it (required pages,
and a scan of every file for the probe targets, secrets and internal addresses of probes/ that are
not marked public), then publishes it: DIR becomes a link to the new build in one atomic step.
Warnings (an update dated ahead of now, a file under content/ that is not a post) are printed on
standard error and the build goes on.

  --out DIR    where the site is published (default: public-site under the project)
  --root DIR   the project folder (default: the current folder)
  --json       print one JSON document: { published, folder, files, rendered, reused, status, warnings }

Exit codes: 0 published, 1 problems in probes/ or content/, 2 bad usage, 3 the store cannot be
opened, or the build or its checks failed (in each case the published site was left as it was).`,
  async run(argv) {
    const args = parseCommandArgs('build', argv, { out: { type: 'string' } });
    const output = createOutput(args.json);
    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const posts = await loadPosts({ root: args.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
    if (posts.problems.length > 0) throw new ProblemsError(posts.problems);
    // Warnings never stop a build, and are never silent: an update typed 8 hours ahead stays hidden until then.
    if (!args.json) printProblems(output, posts.warnings);
    const out = resolve(args.root, typeof args.values.out === 'string' ? args.values.out : 'public-site');
    const now = Date.now();
    if (!args.json && process.stderr.isTTY) output.error('computing the status snapshot…');
    const store = await openStore(config.site.store, args.root);
    let snapshot;
    let incidentCharts;
    try {
      await store.migrate();
      snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts.posts, now));
      incidentCharts = await gatherIncidentCharts(store, config, posts.posts, now);
    } finally {
      await store.close();
    }
    const started = Date.now();
    const progress = !args.json && process.stderr.isTTY ? (message: string) => output.error(`${message}…`) : undefined;
    progress?.('building the site with Astro');
    const result = await buildAndPublish({ config, snapshot, posts: posts.posts, out, now, incidentCharts, ...(progress && { progress }) });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (args.json) output.data({ published: out, folder: result.folder, files: result.files, rendered: result.rendered, reused: result.reused, status: snapshot.overall, warnings: posts.warnings.map(errorToJson) });
    else
      output.line(
        `published ${out}: ${result.files} files in ${seconds} s (${result.rendered} post pages rendered, ${result.reused} unchanged reused); ` +
          `${snapshot.overall.description}; ${posts.posts.length} posts, ${snapshot.components.length} components`,
      );
    return ExitCode.ok;
  },
};
