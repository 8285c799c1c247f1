// `statuspost notify` through the built CLI against a real SMTP server and real HTTP receivers on
// loopback: what each target answered, the exit codes scripts rely on, and --help listing every
// provider from the registry.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { providers } from '../../src/notify/providers/index.ts';
import { statuspost } from '../helpers/cli.ts';
import { serve } from '../helpers/net.ts';
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

  it('sends a signed test to a webhook, whose receiver verifies the signature as the README says (exit 0)', async () => {
    const secret = 'whsec-cli-test-0123456789abcdef';
    const received: Array<{ headers: IncomingHttpHeaders; body: string; verified: boolean }> = [];
    const { url } = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // What a receiver does: t and v1 from the header, HMAC-SHA256 of "<t>.<raw body>", a constant-time
        // compare, and a bounded age. A request that does not verify is refused, so the exit code says.
        const fields = Object.fromEntries(String(req.headers['x-statuspost-signature'] ?? '').split(',').map((part) => part.split('=') as [string, string]));
        const t = Number(fields.t);
        const expected = createHmac('sha256', secret).update(`${fields.t}.${body}`).digest();
        const given = Buffer.from(fields.v1 ?? '', 'hex');
        const verified = given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - t) <= 300;
        received.push({ headers: req.headers, body, verified });
        res.statusCode = verified ? 200 : 401;
        res.end(verified ? 'ok' : 'bad signature');
      });
    });
    const hookUrl = `${url}/hooks/cli-path-token-0123456789`;
    const root = await project(['targets:', '  team-hook:', '    kind: webhook', '    url: ${HOOK_URL}', '    secret: ${HOOK_SECRET}']);
    const { code, stdout, stderr } = await statuspost(['notify', 'test', '--root', root], { env: { HOOK_URL: hookUrl, HOOK_SECRET: secret } });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^team-hook +webhook +accepted +200 OK$/m);
    expect(stdout).toContain('1 of 1 target accepted the test message.');
    expect(code).toBe(0);
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got!.verified).toBe(true);
    expect(got!.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(got!.body) as { idempotencyKey: string; events: Array<{ kind: string; title: string }> };
    expect(payload.events).toEqual([expect.objectContaining({ kind: 'test', title: 'Test message to team-hook' })]);
    expect(got!.headers['idempotency-key']).toBe(payload.idempotencyKey);
    expect(`${stdout}${stderr}`).not.toContain(secret);
    expect(`${stdout}${stderr}`).not.toContain('cli-path-token');
  });

  it('exits 3 when a webhook\'s receiver answers 500 (it may pass later), quoting it without the target\'s secrets', async () => {
    const secret = 'whsec-cli-test-0123456789abcdef';
    let requests = 0;
    const { url } = await serve((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.statusCode = 500;
        // A careless server echoes what it was given: the path (with its token) and the signing key.
        res.end(`database down while handling ${req.url} signed with ${secret}`);
      });
    });
    const root = await project(['targets:', '  team-hook:', '    kind: webhook', '    url: ${HOOK_URL}', '    secret: ${HOOK_SECRET}']);
    const { code, stdout, stderr } = await statuspost(['notify', 'test', '--root', root, '--json'], {
      env: { HOOK_URL: `${url}/hooks/cli-path-token-0123456789`, HOOK_SECRET: secret },
    });
    expect(stderr).toBe('');
    expect(code).toBe(3);
    expect(requests).toBe(1);
    const result = JSON.parse(stdout) as { ok: boolean; targets: Array<Record<string, unknown>> };
    expect(result).toEqual({
      ok: false,
      targets: [{ name: 'team-hook', kind: 'webhook', ok: false, retryable: true, code: 500, answer: expect.stringMatching(/^500 Internal Server Error: database down while handling /) }],
    });
    // Quoted, not dropped: the echoed values are replaced where they stood.
    expect(result.targets[0]!.answer).toContain('[redacted]');
    expect(stdout).not.toContain(secret);
    expect(stdout).not.toContain('cli-path-token');
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
    expect(bad.stderr).toBe('probes/notify.yaml:2:21  targets.ops-mail.kind: unknown provider kind "emial" [SP_CONFIG_INVALID]\n  hint: did you mean "email"? kind must be one of webhook, slack, mattermost, teams, discord, ntfy, pagerduty, email\n');
  });

  it('lists every provider of the registry and each of its keys in --help', async () => {
    const { code, stdout } = await statuspost(['notify', '--help']);
    expect(code).toBe(0);
    const list = stdout.slice(stdout.indexOf('Providers'));
    for (const provider of providers) {
      expect(list).toMatch(new RegExp(`^ {2}${provider.kind}$`, 'm'));
      // "(required)", "(env)" or "(required, env)": env marks a key whose value must be ${ENV_VAR}.
      for (const key of provider.keys) {
        const marks = [...(key.required ? ['required'] : []), ...(provider.secretKeys.includes(key.name) ? ['env'] : [])];
        expect(list).toMatch(new RegExp(`^ {4}${key.name.replace('.', '\\.')}${marks.length > 0 ? ` \\(${marks.join(', ')}\\)` : ''} +\\S`, 'm'));
      }
    }
    // Every secret key is one of the provider's keys (a misspelt one would never be checked).
    for (const provider of providers) {
      for (const key of provider.secretKeys) expect(provider.keys.map((k) => k.name)).toContain(key);
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
