// `statuspost status`: the Snapshot the site will publish, from the store and the posts, now.
import { loadConfig } from '../../config/load.ts';
import { ProblemsError } from '../../errors.ts';
import { loadPosts } from '../../posts/load.ts';
import { gatherSnapshotInput } from '../../status/gather.ts';
import { buildSnapshot, type UptimeFigure } from '../../status/snapshot.ts';
import { openStore } from '../../store/open.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, table } from '../output.ts';

export const statusCommand: Command = {
  summary: 'show each component\'s status, who decided it, and its uptime',
  usage: `Usage: statuspost status [--root DIR] [--json]

Computes the Snapshot the site publishes, from the recorded results, the posts in content/ and the
clock: each component's status and who decided it (its checks, an incident or a maintenance),
what the probes saw underneath, and its uptime over 24 hours and 7, 30 and 90 days with coverage.
The formula is in docs/uptime.md.

  --root DIR   the project folder (default: the current folder)
  --json       print the whole Snapshot as one JSON document (90 daily figures per component,
               latency, groups)

Exit codes: 0 all operational, 1 a component is not operational or the input has problems, 2 bad
usage, 3 the store cannot be opened.`,
  async run(argv) {
    const args = parseCommandArgs('status', argv, {});
    const output = createOutput(args.json);
    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const posts = await loadPosts({ root: args.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
    if (posts.problems.length > 0) throw new ProblemsError(posts.problems);
    const store = await openStore(config.site.store, args.root);
    let snapshot;
    try {
      await store.migrate();
      snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts.posts, Date.now()));
    } finally {
      await store.close();
    }
    if (args.json) {
      output.data(snapshot);
    } else {
      const pct = (f: UptimeFigure) => (f.percent === null ? 'no data' : `${f.percent.toFixed(2)}%`);
      const rows = [['COMPONENT', 'STATUS', 'DECIDED BY', '24 H', '7 D', '30 D', '90 D', 'COVERAGE 90 D']];
      for (const c of snapshot.components) {
        const by = c.decidedBy.kind === 'incident' || c.decidedBy.kind === 'maintenance' ? `${c.decidedBy.kind} ${c.decidedBy.slug}` : c.decidedBy.kind;
        rows.push([c.id, c.status, by, pct(c.uptime.h24), pct(c.uptime.d7), pct(c.uptime.d30), pct(c.uptime.d90), `${(c.uptime.d90.coverage * 100).toFixed(1)}%`]);
      }
      output.line(`${snapshot.overall.description} (${snapshot.overall.indicator})\n`);
      output.line(table(rows));
    }
    return snapshot.components.every((c) => c.status === 'operational') ? ExitCode.ok : ExitCode.problemsFound;
  },
};
