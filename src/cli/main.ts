// The bin entry: dispatch to a command, and the only place errors become exit codes.
import { readFileSync } from 'node:fs';
import { closest } from '../config/issues.ts';
import { ProblemsError, StatuspostError, formatError } from '../errors.ts';
import { ExitCode } from './exit-codes.ts';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

// Each command is imported only when it runs, so `statuspost check` never loads database drivers.
const commands: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.ts')).initCommand,
  check: async () => (await import('./commands/check.ts')).checkCommand,
  new: async () => (await import('./commands/new.ts')).newCommand,
  probe: async () => (await import('./commands/probe.ts')).probeCommand,
  run: async () => (await import('./commands/run.ts')).runCommand,
  build: async () => (await import('./commands/build.ts')).buildCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  subscribers: async () => (await import('./commands/subscribers.ts')).subscribersCommand,
  demo: async () => (await import('./commands/demo.ts')).demoCommand,
  notify: async () => (await import('./commands/notify.ts')).notifyCommand,
  postmortem: async () => (await import('./commands/postmortem.ts')).postmortemCommand,
};

async function overview(): Promise<string> {
  const lines = ['statuspost: status pages and postmortems from probes and Markdown', '', 'Usage: statuspost <command> [flags]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(11)} ${(await load()).summary}`);
  lines.push('', 'Shared flags: --root DIR (project folder, default: current folder), --json, --help', 'Run `statuspost <command> --help` for a command\'s flags.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // `statuspost help new` is `statuspost new --help`.
  const [name, ...rest] = argv[0] === 'help' && argv.length > 1 ? [argv[1]!, '--help', ...argv.slice(2)] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await overview()}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return ExitCode.ok;
  }
  const load = commands[name];
  if (!load) {
    const meant = closest(name, Object.keys(commands));
    process.stderr.write(`unknown command "${name}" [SP_USAGE]\n  hint: ${meant ? `did you mean "${meant}"? ` : ''}commands: ${Object.keys(commands).join(', ')}\n`);
    return ExitCode.usage;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof ProblemsError) {
      for (const problem of error.problems) process.stderr.write(`${formatError(problem)}\n`);
      return ExitCode.problemsFound;
    }
    if (error instanceof StatuspostError) {
      process.stderr.write(`${formatError(error)}\n`);
      if (error.code === 'SP_USAGE') return ExitCode.usage;
      if (['SP_STORE_UNAVAILABLE', 'SP_STORE_TOO_NEW', 'SP_STORE_LOCKED', 'SP_BUILD_FAILED', 'SP_LISTEN_FAILED', 'SP_WRITE_FAILED', 'SP_DEMO_NOT_RUNNING', 'SP_POST_LOCKED'].includes(error.code)) return ExitCode.unavailable;
      return ExitCode.problemsFound;
    }
    process.stderr.write(
      `statuspost hit an internal error; nothing was published. Please report it with this trace:\n${(error as Error)?.stack ?? String(error)}\n`,
    );
    return ExitCode.internal;
  }
}

// A reader that goes away early (`statuspost status --json | head`) closes the pipe, and the next
// write fails with EPIPE. That ends the output, not the command: it finishes with the exit status it
// would have had, without a trace (printing one would fail the same way). Streaming commands stop
// producing when they see it (output.ts: writeOrStop).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
