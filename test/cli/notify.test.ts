// `statuspost notify` through the built CLI against a real SMTP server on loopback: what each target
// answered, the exit codes scripts rely on, and --help listing every provider from the registry.
import { describe, expect, it } from 'vitest';
import { providers } from '../../src/notify/providers/index.ts';
import { statuspost } from '../helpers/cli.ts';
import { tempProject } from '../helpers/temp.ts';
import { closedPort, startSmtp } from '../notify/smtp.ts';

const site = ['title: Chat status', 'baseUrl: https://status.example.org', ''].join('\n');
const components = ['components:', '  - id: chat', '    name: Chat nodes', ''].join('\n');

function mailTarget(name: string, port: number, extra: string[] = []): string[] {
  return [`  ${name}:`, '    kind: email', '    host: 127.0.0.1', `    port: ${port}`, '    from: "Chat status <status@example.test>"', '    to: [oncall@example.test]', ...extra];
}

async function project(notify: string[] | undefined): Promise<string> {
  const files: Record<string, string> = { 'probes/site.yaml': site, 'probes/components.yaml': components };
  if (notify) files['probes/notify.yaml'] = [...notify, ''].join('\n');
  return tempProject(files);
}

describe('statuspost notify', () => {
  it('sends a test message to every target and prints what each answered (exit 0)', async () => {
    const smtp = await startSmtp();
    const root = await project(['targets:', ...mailTarget('ops-mail', smtp.port), ...mailTarget('backup-mail', smtp.port, ['    pool: false'])]);
    const { code, stdout, stderr } = await statuspost(['notify', 'test', '--root', root]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TARGET +KIND +RESULT +ANSWER$/m);
    expect(stdout).toMatch(/^ops-mail +email +accepted +250 .+$/m);
    expect(stdout).toMatch(/^backup-mail +email +accepted +250 .+$/m);
    expect(stdout).toContain('2 of 2 targets accepted the test message.');
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received.map(({ mail }) => mail.subject).sort()).toEqual(['[Chat status] Test message to backup-mail', '[Chat status] Test message to ops-mail']);
    expect(smtp.received[0]!.mail.text).toContain('Nothing is wrong.');
  });

  it('sends to the one target named, and prints JSON with --json', async () => {
    const smtp = await startSmtp();
    const down = await closedPort();
    const root = await project(['targets:', ...mailTarget('ops-mail', smtp.port), ...mailTarget('backup-mail', down)]);
    const one = await statuspost(['notify', 'test', 'ops-mail', '--root', root, '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({
      ok: true,
      targets: [{ name: 'ops-mail', kind: 'email', ok: true, retryable: false, code: 250, answer: expect.stringMatching(/^250 /) }],
    });
    expect(smtp.received).toHaveLength(1);
  });

  it('exits 3 when every failing target may pass later (a server down), in words', async () => {
    const smtp = await startSmtp();
    const down = await closedPort();
    const root = await project(['targets:', ...mailTarget('ops-mail', smtp.port), ...mailTarget('backup-mail', down)]);
    const { code, stdout } = await statuspost(['notify', 'test', '--root', root, '--json']);
    expect(code).toBe(3);
    const result = JSON.parse(stdout) as { ok: boolean; targets: Array<Record<string, unknown>> };
    expect(result.ok).toBe(false);
    expect(result.targets).toEqual([
      expect.objectContaining({ name: 'ops-mail', ok: true }),
      { name: 'backup-mail', kind: 'email', ok: false, retryable: true, code: null, answer: 'connection refused' },
    ]);
  });

  it('exits 1 when a target refuses for good, and never prints the password', async () => {
    const smtp = await startSmtp({ users: { alerts: 'the-right-password' } });
    const password = 'wrong-password-from-env';
    const root = await project(['targets:', ...mailTarget('ops-mail', smtp.port, ['    user: alerts', '    password: ${SMTP_PASSWORD}'])]);
    const { code, stdout, stderr } = await statuspost(['notify', 'test', '--root', root], { env: { SMTP_PASSWORD: password } });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ops-mail +email +refused +535 .*Invalid username or password$/m);
    expect(stdout).toContain('0 of 1 target accepted the test message.');
    expect(`${stdout}${stderr}`).not.toContain(password);
    expect(smtp.received).toHaveLength(0);
  });

  it('calls an unknown target bad usage, with a did-you-mean (exit 2), and sends nothing', async () => {
    const smtp = await startSmtp();
    const root = await project(['targets:', ...mailTarget('ops-mail', smtp.port)]);
    const { code, stdout, stderr } = await statuspost(['notify', 'test', 'ops-mial', '--root', root]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('notify test: unknown target "ops-mial" [SP_USAGE]\n  hint: did you mean "ops-mail"? targets: ops-mail\n');
    expect(smtp.connections()).toBe(0);
  });

  it('says there is nothing to test without probes/notify.yaml (exit 1), and lists the problems of a bad one', async () => {
    const none = await statuspost(['notify', 'test', '--root', await project(undefined)]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^probes\/notify\.yaml {2}there is no probes\/notify\.yaml, so there is no target to test \[SP_CONFIG_MISSING\]\n {2}hint: /);

    const bad = await statuspost(['notify', 'test', '--root', await project(['targets:', '  ops-mail: { kind: emial }'])]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('probes/notify.yaml:2:21  targets.ops-mail.kind: unknown provider kind "emial" [SP_CONFIG_INVALID]\n  hint: did you mean "email"? kind must be one of email\n');
  });

  it('lists every provider of the registry and each of its keys in --help', async () => {
    const { code, stdout } = await statuspost(['notify', '--help']);
    expect(code).toBe(0);
    const list = stdout.slice(stdout.indexOf('Providers'));
    for (const provider of providers) {
      expect(list).toMatch(new RegExp(`^ {2}${provider.kind}$`, 'm'));
      for (const key of provider.keys) expect(list).toMatch(new RegExp(`^ {4}${key.name.replace('.', '\\.')}${key.required ? ' \\(required\\)' : ''} +\\S`, 'm'));
    }
  });

  it('asks for a subcommand, with a did-you-mean for a misspelt one (exit 2)', async () => {
    const missing = await statuspost(['notify']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('notify: which subcommand? [SP_USAGE]');
    const misspelt = await statuspost(['notify', 'tset']);
    expect(misspelt).toEqual({ code: 2, stdout: '', stderr: 'notify: unknown subcommand "tset" [SP_USAGE]\n  hint: did you mean "test"? subcommands: test\n' });
  });
});
