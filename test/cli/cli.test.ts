// Spawns the real bin (built by `npm test` before vitest runs) and asserts output and exit codes.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serveTcp, freePort } from '../helpers/net.ts';
import { tempProject } from '../helpers/temp.ts';

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));

function statuspost(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const site = 'title: Chat status\nbaseUrl: https://status.example.org\n';
const components = 'components:\n  - id: cache\n    name: Cache\n';
const tcpChecks = (ports: number[]) =>
  `checks:\n${ports
    .map((port, i) => `  - id: port-${i + 1}\n    component: cache\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    timeout: 1s\n`)
    .join('')}`;

describe('statuspost CLI', () => {
  it('prints the command list with --help and exits 0', async () => {
    const { code, stdout } = await statuspost(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: statuspost <command>');
    expect(stdout).toMatch(/check +validate probes\/ and content\//);
  });

  it('prints a command\'s own help', async () => {
    const { code, stdout } = await statuspost(['probe', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: statuspost probe --once');
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await statuspost(['frobnicate'])).code).toBe(2);
    const flag = await statuspost(['check', '--frob']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("check: Unknown option '--frob' [SP_USAGE]");
  });

  it('check prints a one-line summary and exits 0 on a valid project', async () => {
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/a.yaml': tcpChecks([6379]) });
    const { code, stdout } = await statuspost(['check', '--root', root]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('ok: 3 files, 1 component, 1 check, 0 posts, no problems');
  });

  it('check prints every problem with its position and exits 1', async () => {
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat status\nbaseUrl: nowhere\n',
      'probes/components.yaml': components,
      'probes/checks/a.yaml': 'checks:\n  - id: x\n    component: cache\n    kind: tcp\n    host: h.example\n    port: 1\n    colour: red\n',
    });
    const { code, stderr } = await statuspost(['check', '--root', root]);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      'probes/site.yaml:2:10  baseUrl: must be an absolute http(s) URL, e.g. https://status.example.org [SP_CONFIG_INVALID]',
      'probes/checks/a.yaml:7:5  checks.0.colour: unknown key "colour" [SP_CONFIG_INVALID]',
      expect.stringMatching(/^ {2}hint: allowed keys here: id, name, component, /),
      '2 problems in 3 files. Nothing was published or changed.',
      '',
    ]);
    const json = await statuspost(['check', '--root', root, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [{ file: 'probes/site.yaml', line: 2 }, { code: 'SP_CONFIG_INVALID', file: 'probes/checks/a.yaml', line: 7, column: 5 }] });
  });

  it('probe --once prints a table, exits 1 when a check is down, and names no target in messages', async () => {
    const { port: open } = await serveTcp(() => undefined);
    const closed = await freePort();
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/a.yaml': tcpChecks([open, closed]) });
    const { code, stdout } = await statuspost(['probe', '--once', '--root', root]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^CHECK +COMPONENT +KIND +STATUS +LATENCY +MESSAGE$/);
    expect(lines[1]).toMatch(/^port-1 +cache +tcp +UP +\d+ ms +port open$/);
    expect(lines[2]).toMatch(/^port-2 +cache +tcp +DOWN +- +connection refused$/);
    expect(stdout).toContain('2 checks: 1 up, 0 degraded, 1 down');
  });

  it('probe --once --json prints one JSON object per result and --check selects', async () => {
    const { port } = await serveTcp(() => undefined);
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/a.yaml': tcpChecks([port, 1]) });
    const { code, stdout } = await statuspost(['probe', '--once', '--json', '--check', 'port-1', '--root', root]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([expect.objectContaining({ checkId: 'port-1', component: 'cache', status: 'up', kind: 'tcp' })]);
    const unknown = await statuspost(['probe', '--once', '--check', 'nope', '--root', root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no check with id "nope" [SP_USAGE]');
  });
});
