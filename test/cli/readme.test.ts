// The README's CLI reference and the commands' own --help are two descriptions of one thing: this
// reads both and fails on any command, flag or exit code that one of them has and the other lacks.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyWithMarks } from '../../src/cli/commands/notify.ts';
import { ExitCode } from '../../src/cli/exit-codes.ts';
import { providers } from '../../src/notify/providers/index.ts';
import { statuspost } from '../helpers/cli.ts';

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const FLAG = /(?<![\w-])--[a-z][a-z-]*/g;
const flagsIn = (text: string) => new Set(text.match(FLAG) ?? []);
const sorted = (set: Iterable<string>) => [...set].sort();

/** The lines of the README section that starts with `heading`, up to the next heading of its level or above. */
function section(readme: string, heading: string): string[] {
  const lines = readme.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`README.md has no "${heading}"`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

interface Readme {
  shared: Set<string>;
  commands: Map<string, Set<string>>;
  exitCodes: Map<number, string>;
}

async function readReadme(): Promise<Readme> {
  const readme = await readFile(readmePath, 'utf8');
  const cli = section(readme, '## CLI');
  const synopsis = cli.find((line) => line.startsWith('statuspost <command>'));
  if (!synopsis) throw new Error('README.md "## CLI" has no `statuspost <command> …` line');
  const commands = new Map<string, Set<string>>();
  for (const line of cli) {
    const row = /^\| `(.+?)` \| .+ \|$/.exec(line);
    if (!row) continue;
    const usage = row[1]!.replaceAll('\\|', '|');
    commands.set(usage.split(' ')[0]!, flagsIn(usage));
  }
  const exitCodes = new Map<number, string>();
  for (const line of section(readme, '### Exit codes')) {
    const row = /^\| (\d+) \| (.+) \|$/.exec(line);
    if (row) exitCodes.set(Number(row[1]), row[2]!);
  }
  return { shared: flagsIn(synopsis), commands, exitCodes };
}

/** The command names `statuspost --help` lists, and its shared flags. */
async function readOverview(): Promise<{ commands: string[]; shared: Set<string> }> {
  const { stdout } = await statuspost(['--help']);
  const lines = stdout.split('\n');
  const commands = lines.slice(lines.indexOf('Commands:') + 1).filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(' ')[0]!);
  const shared = flagsIn(lines.find((line) => line.startsWith('Shared flags:')) ?? '');
  return { commands, shared };
}

/** The exit codes a command's --help names: "Exit codes: 0 …, 1 …, 2 …". */
function exitCodesIn(help: string): number[] {
  const paragraph = /\nExit codes?: ([\s\S]*?)(\n\n|$)/.exec(help)?.[1];
  if (!paragraph) return [];
  return [...paragraph.replaceAll('\n', ' ').matchAll(/(?:^|, |; )(\d+) /g)].map((m) => Number(m[1]));
}

describe('README ↔ --help', () => {
  let readme: Readme;
  let overview: { commands: string[]; shared: Set<string> };
  const helps = new Map<string, string>();
  beforeAll(async () => {
    [readme, overview] = await Promise.all([readReadme(), readOverview()]);
    for (const name of overview.commands) {
      const { code, stdout } = await statuspost([name, '--help']);
      if (code !== 0) throw new Error(`statuspost ${name} --help exited ${code}`);
      helps.set(name, stdout);
    }
  }, 120_000);

  it('lists the same commands as `statuspost --help`', () => {
    expect(sorted(readme.commands.keys())).toEqual(sorted(overview.commands));
  });

  it('names the same shared flags in its synopsis as `statuspost --help`', () => {
    expect(sorted(readme.shared)).toEqual(sorted(overview.shared));
  });

  it('shows, for each command, the flags its --help documents, and no other', () => {
    const drift: string[] = [];
    for (const [name, help] of helps) {
      const inHelp = flagsIn(help);
      const inReadme = readme.commands.get(name) ?? new Set<string>();
      for (const flag of inHelp) if (!readme.shared.has(flag) && !inReadme.has(flag)) drift.push(`${name} ${flag}: in --help, not in the README`);
      for (const flag of inReadme) if (!readme.shared.has(flag) && !inHelp.has(flag)) drift.push(`${name} ${flag}: in the README, not in --help`);
      // Every command takes the shared flags; its --help says what they do for it.
      for (const flag of ['--root', '--json']) if (!inHelp.has(flag)) drift.push(`${name} ${flag}: a shared flag its --help does not describe`);
    }
    expect(drift).toEqual([]);
  });

  it('documents exactly the exit codes statuspost has', () => {
    expect(sorted([...readme.exitCodes.keys()].map(String))).toEqual(sorted(Object.values(ExitCode).map(String)));
  });

  it('gives each command\'s exit codes in its --help, every one of them in the README\'s table', () => {
    const drift: string[] = [];
    for (const [name, help] of helps) {
      const codes = exitCodesIn(help);
      if (codes.length === 0) drift.push(`${name}: --help names no exit codes`);
      for (const code of codes) if (!readme.exitCodes.has(code)) drift.push(`${name}: exit code ${code} is not in the README`);
      // Any command can be given a flag it does not know.
      if (!codes.includes(ExitCode.usage)) drift.push(`${name}: --help omits exit code 2 (bad usage)`);
    }
    expect(drift).toEqual([]);
  });
});

/** Providers and their keys, "kind → key (required, env) …", from the README's table or from --help. */
function providersInReadme(readme: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const lines = readme.split('\n');
  const start = lines.indexOf('## Notifications: `probes/notify.yaml`');
  expect(start).toBeGreaterThan(-1);
  let fenced = false;
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    // The section's YAML example has "# probes/notify.yaml" in it: a comment, not a heading.
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && /^#{1,2} /.test(line)) break;
    // The providers' table only (the section has another, of route keys).
    if (line.startsWith('| kind | keys |')) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    if (!inTable) continue;
    const row = /^\| `([a-z]+)` \| (.+?) \| .+ \|$/.exec(line);
    if (!row) continue;
    // **`url`** is required; " (env)" after a key: its value must be ${ENV_VAR}.
    out.set(row[1]!, [...row[2]!.matchAll(/(\*\*)?`([\w.]+)`(?:\*\*)?( \(env\))?/g)].map((m) => keyWithMarks(m[2]!, m[1] !== undefined, m[3] !== undefined)));
  }
  return out;
}

function providersInHelp(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const lines = help.split('\n');
  let kind: string | undefined;
  for (const line of lines.slice(lines.findIndex((l) => l.startsWith('Providers')) + 1)) {
    if (line === '' || /^\S/.test(line)) break;
    const heading = /^ {2}([a-z]+)$/.exec(line);
    if (heading) out.set((kind = heading[1]!), []);
    else if (kind) out.get(kind)!.push(/^ {4}(\S+(?: \((?:required|env|required, env)\))?)/.exec(line)![1]!);
  }
  return out;
}

describe('README ↔ notify --help', () => {
  it('lists the same providers with the same keys, required ones marked, in the same order', async () => {
    const [readme, { code, stdout }] = await Promise.all([readFile(readmePath, 'utf8'), statuspost(['notify', '--help'])]);
    expect(code).toBe(0);
    const help = providersInHelp(stdout);
    expect([...help.keys()]).toHaveLength(8);
    expect(help.get('webhook')).toEqual(['url (required, env)', 'secret (env)', 'format', 'headers']);
    expect(help.get('ntfy')).toEqual(['topic (required, env)', 'url', 'token (env)']);
    expect(help.get('email')).toContain('password (env)');
    // Each provider's secret keys, and only they, are marked in --help.
    for (const provider of providers) {
      expect(help.get(provider.kind)!.filter((key) => key.endsWith('env)')).map((key) => key.split(' ')[0])).toEqual([...provider.secretKeys]);
    }
    expect(Object.fromEntries(providersInReadme(readme))).toEqual(Object.fromEntries(help));
  });
});
