// `statuspost serve` as a user runs it: a project whose probes/notify.yaml has subscriptions.email
// (the secret from the environment), built by `statuspost build`; sign-up through the served page
// reaches a real SMTP server on loopback, and the confirmed address shows in `statuspost subscribers`.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bin, statuspost } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';
import { startSmtp } from '../notify/smtp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const env = { SUBSCRIBE_SECRET: 'cli-test-secret-0123456789abcdef0123' };

function serve(root: string) {
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--json', '--port', '0', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const address = new Promise<{ url: string; emailSignUp?: boolean }>((resolve, reject) => {
    const look = () => {
      const line = out.stdout.split('\n')[0];
      if (out.stdout.includes('\n') && line) resolve(JSON.parse(line) as { url: string; emailSignUp?: boolean });
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out.stderr}`)));
  });
  return { child, out, exited, address };
}

describe('statuspost serve with subscriptions.email', () => {
  it('offers the form, mails a confirmation through the configured target, and keeps the address in the store', async () => {
    const smtp = await startSmtp();
    const root = await tempDir();
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await writeFile(
      join(root, 'probes/notify.yaml'),
      [
        'targets:',
        '  signup-mail:',
        '    kind: email',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        '    from: "Chat status <status@example.org>"',
        '    pool: false',
        'subscriptions:',
        '  email:',
        '    target: signup-mail',
        '    secret: ${SUBSCRIBE_SECRET}',
        '    confirmWithin: 1h',
        '',
      ].join('\n'),
    );
    const built = await statuspost(['build', '--root', root], { env });
    expect(built.code, built.stderr).toBe(0);

    const server = serve(root);
    const { url, emailSignUp } = await server.address;
    expect(emailSignUp).toBe(true);
    const page = await (await fetch(new URL('subscribe/', url))).text();
    expect(page).toContain('<form method="post">');
    expect(page).not.toContain('not offered');

    const posted = await fetch(new URL('subscribe/', url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin }, body: 'email=cli-reader%40example.org' });
    expect(posted.status).toBe(200);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!.mail;
    expect(mail.from?.text).toContain('status@example.org');
    const link = /https?:\/\/\S+\/subscribe\/confirm\?token=\S+/.exec(mail.text!)?.[0];
    expect(link).toBeDefined();
    const confirmAt = new URL(new URL(link!).pathname + new URL(link!).search, url);
    const asked = await fetch(confirmAt); // a page with a button: opening the link confirms nobody
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('<button type="submit">Confirm</button>');
    const confirmed = await fetch(confirmAt, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Subscribed');

    const listed = await statuspost(['subscribers', 'list', '--json', '--root', root], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ address: 'cli-reader@example.org', state: 'confirmed', source: 'self-service' }]);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, BUILD_MS);
});
