// `--json` is a shared flag: every command either prints JSON with it (as its --help says) or
// refuses it. These are the commands that used to accept it and print text anyway.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { bin, statuspost } from '../helpers/cli.ts';
import { serveTcp } from '../helpers/net.ts';
import { tempDir, tempProject } from '../helpers/temp.ts';
import { result } from '../store/contract.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const site = 'title: Chat\nbaseUrl: https://status.example.org\n';
const components = 'components:\n  - id: cache\n    name: Cache\n';

/** A long-running command; its lines as they come, stopped by the test's end at the latest. */
function start(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const until = async (what: string, test: () => boolean, timeoutMs: number) => {
    for (const started = Date.now(); !test(); await new Promise((r) => setTimeout(r, 100))) {
      if (child.exitCode !== null) throw new Error(`${args[0]} exited ${child.exitCode} before ${what}: ${out.stderr}`);
      if (Date.now() - started > timeoutMs) throw new Error(`no ${what} within ${timeoutMs} ms: ${out.stdout} ${out.stderr}`);
    }
  };
  return { child: child as ChildProcess, out, exited, until };
}

const jsonLines = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('--json', () => {
  it('export --json writes JSON lines, as --format jsonl does, and refuses --format csv beside it', async () => {
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components });
    const store = await openSqliteStore({ path: join(root, 'data/statuspost.db') });
    await store.migrate();
    await store.record([result('api', Date.now() - 60_000), result('api', Date.now() - 30_000, 'down')], 'here');
    await store.close();
    const json = await statuspost(['export', '--since', '1h', '--json', '--root', root]);
    expect(json.code).toBe(0);
    expect(jsonLines(json.stdout)).toEqual([expect.objectContaining({ checkId: 'api', status: 'up' }), expect.objectContaining({ checkId: 'api', status: 'down' })]);
    expect(json.stdout).toBe((await statuspost(['export', '--since', '1h', '--format', 'jsonl', '--root', root])).stdout);
    const both = await statuspost(['export', '--since', '1h', '--json', '--format', 'csv', '--root', root]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('export: --json means --format jsonl, not csv [SP_USAGE]');
  });

  it('serve --json prints its address as one JSON line, and serves there', async () => {
    const root = await tempProject({ 'public-site/index.html': '<h1>up</h1>' });
    const serve = start(['serve', '--json', '--port', '0', '--root', root]);
    await serve.until('address', () => serve.out.stdout.includes('\n'), 60_000);
    const [line, ...rest] = jsonLines(serve.out.stdout);
    expect(rest).toEqual([]);
    expect(line).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), folder: join(root, 'public-site') });
    expect(await (await fetch(String(line!.url))).text()).toBe('<h1>up</h1>');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 90_000);

  it('run --json logs JSON lines, as --log-format json does, and refuses --log-format text beside it', async () => {
    const { port } = await serveTcp(() => undefined);
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/a.yaml': `checks:\n  - id: port\n    component: cache\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 5s\n`,
    });
    const run = start(['run', '--json', '--no-publish', '--flush-interval', '100', '--root', root]);
    await run.until('the started log line', () => /"event":"started"/.test(run.out.stderr), 60_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const lines = jsonLines(run.out.stderr);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatchObject({ time: expect.any(String), level: expect.any(String), event: expect.any(String) });
    const both = await statuspost(['run', '--json', '--log-format', 'text', '--root', root]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('run: --json means --log-format json, not text [SP_USAGE]');
  }, 120_000);

  it('demo --json prints nothing but JSON on standard output while it serves', async () => {
    const root = await tempDir('statuspost-demo-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    const demo = start(['demo', '--json', '--root', root]);
    await demo.until('the served address', () => /"url":/.test(demo.out.stdout), 200_000);
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    const lines = jsonLines(demo.out.stdout);
    expect(lines.at(-1)).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), env: expect.objectContaining({ DEMO_LB_URL: expect.any(String) }) });
    expect(lines.slice(0, -1).every((line) => typeof line.checkId === 'string' && typeof line.status === 'string')).toBe(true);
  }, 240_000);
});
