// `statuspost probe --once`: run every check (or the chosen ones) once, print the results.
import { loadConfig } from '../../config/load.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import type { Check } from '../../probes/registry.ts';
import type { CheckResult } from '../../probes/types.ts';
import { runChecksOnce } from '../../runner/run-all.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, table, type Output } from '../output.ts';

export const probeCommand: Command = {
  summary: 'run every check once and print the results (for an external cron)',
  usage: `Usage: statuspost probe --once [--check ID]... [--root DIR] [--json]

Runs each check in probes/checks/*.yaml once, under the configured concurrency limit, with each
check's timeout and retries, and prints one row per check. It records nothing: \`statuspost run\`
records every result. Use it for a quick look, or from an external scheduler with --json.

  --once        run once and exit (the only mode; the daemon is \`statuspost run\`)
  --check ID    run only this check; repeat for several
  --root DIR    the project folder (default: the current folder)
  --json        print one JSON object per result (JSON lines), details included

Exit codes: 0 every check up or degraded, 1 a check is down or the configuration has problems, 2 bad usage.`,
  async run(argv) {
    const args = parseCommandArgs('probe', argv, {
      once: { type: 'boolean', default: true },
      check: { type: 'string', multiple: true },
    });
    const output = createOutput(args.json);
    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const checks = selectChecks(config.checks, (args.values.check as string[] | undefined) ?? []);
    if (!args.json && process.stderr.isTTY) output.error(`probing ${plural(checks.length, 'check')}…`);

    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const results = await runChecksOnce(checks, config.site.concurrency, {
        stop: stop.signal,
        onInternalError: (check, error) => output.error(`check ${check.id}: probe threw: ${(error as Error)?.stack ?? String(error)}`),
        ...(args.json ? { onResult: (result: CheckResult) => output.data(toJsonLine(result, checks)) } : {}),
      });
      if (!args.json) printTable(output, checks, results);
      return results.some((result) => result.status === 'down') ? ExitCode.problemsFound : ExitCode.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

function selectChecks(all: readonly Check[], ids: readonly string[]): Check[] {
  if (ids.length === 0) return [...all];
  const known = new Map(all.map((check) => [check.id, check]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new StatuspostError('SP_USAGE', `no check with id ${unknown.map((id) => `"${id}"`).join(', ')}`, {
      hint: `checks: ${[...known.keys()].join(', ')}`,
    });
  }
  return ids.map((id) => known.get(id)!);
}

function toJsonLine(result: CheckResult, checks: readonly Check[]) {
  const check = checks.find((c) => c.id === result.checkId);
  return { ...result, component: check?.component ?? null, startedAt: new Date(result.startedAt).toISOString() };
}

function printTable(output: Output, checks: readonly Check[], results: readonly CheckResult[]) {
  const rows = [['CHECK', 'COMPONENT', 'KIND', 'STATUS', 'LATENCY', 'MESSAGE']];
  results.forEach((result, i) => {
    rows.push([
      result.checkId,
      checks[i]!.component,
      result.kind,
      result.status.toUpperCase(),
      result.latencyMs === null ? '-' : `${Math.round(result.latencyMs)} ms`,
      result.message,
    ]);
  });
  output.line(table(rows));
  const count = (status: string) => results.filter((r) => r.status === status).length;
  output.line(`\n${plural(results.length, 'check')}: ${count('up')} up, ${count('degraded')} degraded, ${count('down')} down`);
}
