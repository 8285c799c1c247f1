// Issue 16's "Done when", through the real built CLI and real servers on loopback:
// (a) an operator configures a Slack channel and an email address in probes/notify.yaml; a component
//     goes down: one alert to each, reminders to each, one resolution to each when it is back.
// (b) a subscriber confirms an email subscription through `statuspost serve` and receives the next
//     incident update once: not again when a typo in it is fixed, nor after the daemon restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { formatOffset, offsetAt } from '../../src/posts/time.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { bin } from '../helpers/cli.ts';
import { startDaemonProcess, type DaemonProcess, type LogLine } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { close, listen } from '../helpers/tcp-target.ts';
import { tempProject } from '../helpers/temp.ts';
import { BUILDS_MS } from '../helpers/timeouts.ts';
import { until } from '../helpers/until.ts';
import { startSmtp, type ReceivedMail } from './smtp.ts';

const ZONE = 'America/Los_Angeles';
// Drafted incidents (site.yaml autoIncidents) have their own tests in test/autodraft/: off here, so the alerts counted are the component's.
const site = `autoIncidents: off\ntitle: Chat status\nbaseUrl: https://status.example.org\ntimezone: ${ZONE}\nlocation: dc1\nstore:\n  engine: sqlite\n  path: data/history.db\n`;
const components = 'components:\n  - id: chat\n    name: Chat servers\n';
const check = (port: number) =>
  ['checks:', '  - id: chat-port', '    component: chat', '    kind: tcp', '    host: 127.0.0.1', `    port: ${port}`, '    schedule: 1s', '    timeout: 500ms', ''].join('\n');

/** "2026-12-01T21:30:05-08:00": an instant written in `zone` with its offset, to the second. */
function zonedTime(ms: number, zone: string): string {
  const instant = Math.floor(ms / 1000) * 1000;
  const offset = offsetAt(instant, zone);
  return `${new Date(instant + offset).toISOString().slice(0, 19)}${formatOffset(offset)}`;
}

interface SlackPost {
  text: string;
  blocks: Array<{ type: string }>;
}

/**
 * A Slack incoming webhook on loopback: it takes a JSON body with a non-empty `text` and `blocks` (as
 * Slack's documented payload) and answers "ok"; anything else gets Slack's 400 "invalid_payload".
 */
async function startSlack() {
  const accepted: SlackPost[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      let body: Partial<SlackPost> | undefined;
      try {
        body = JSON.parse(raw) as Partial<SlackPost>;
      } catch {
        body = undefined; // refused below
      }
      const shaped =
        req.headers['content-type']?.startsWith('application/json') &&
        typeof body?.text === 'string' &&
        body.text.length > 0 &&
        Array.isArray(body.blocks) &&
        body.blocks.length > 0 &&
        body.blocks.every((block) => typeof block?.type === 'string');
      if (!shaped) {
        refused.push(raw);
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      }
      accepted.push(body as SlackPost);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`, accepted, refused };
}

type Kind = 'alert' | 'reminder' | 'resolution';
const slackKind = (post: SlackPost): Kind | 'other' =>
  post.text.startsWith('Critical: Chat servers: major outage') ? 'alert' : post.text.includes('Still major outage: Chat servers') ? 'reminder' : post.text.startsWith('Resolved: Chat servers: operational again') ? 'resolution' : 'other';
const mailKind = ({ mail }: ReceivedMail): Kind | 'other' =>
  mail.subject === '[Chat status] Chat servers: major outage'
    ? 'alert'
    : mail.subject === '[Chat status] Still major outage: Chat servers'
      ? 'reminder'
      : mail.subject === '[Chat status] Resolved: Chat servers: operational again'
        ? 'resolution'
        : 'other';
const count = <T,>(items: readonly T[], kindOf: (item: T) => string, kind: string) => items.filter((item) => kindOf(item) === kind).length;

describe('done when: the operator', () => {
  it('gets one alert, reminders and one resolution in Slack and by email', async () => {
    const slack = await startSlack();
    const smtp = await startSmtp();
    const port = await freePort();
    let target = await listen(port);
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/chat.yaml': check(port),
      'probes/notify.yaml': [
        'targets:',
        '  team-chat:',
        '    kind: slack',
        '    url: ${SLACK_WEBHOOK_URL}',
        '  oncall:',
        '    kind: email',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        '    from: "Chat status <status@example.org>"',
        '    to: [oncall@example.org]',
        'routes:',
        '  - targets: [team-chat, oncall]',
        '    remindEvery: 1m',
        'groupWait: 200ms',
        '',
      ].join('\n'),
    });
    const daemon = startDaemonProcess(root, ['--flush-interval', '100'], { SLACK_WEBHOOK_URL: slack.url });
    await daemon.waitFor((line) => line.event === 'status' && line.check === 'chat-port' && line.status === 'up');
    await close(target);
    const down = await daemon.waitFor((line) => line.event === 'status' && line.check === 'chat-port' && line.status === 'down');
    await until(() => count(slack.accepted, slackKind, 'alert') >= 1 && count(smtp.received, mailKind, 'alert') >= 1, 30_000, 'the alert in Slack and by mail');

    const alert = smtp.received.find((m) => mailKind(m) === 'alert')!;
    expect(alert.session.to).toEqual(['oncall@example.org']);
    expect(alert.mail.text).toContain('Chat servers');
    expect(alert.mail.text).toContain('https://status.example.org/components/chat/');
    expect(alert.mail.text).toContain('chat-port'); // operators' alerts name the check
    const slackAlert = slack.accepted.find((p) => slackKind(p) === 'alert')!;
    expect(slackAlert.blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(slackAlert.blocks)).toContain('https://status.example.org/components/chat/');

    // The first reminder is due a minute after the outage began, to each target.
    await until(() => count(slack.accepted, slackKind, 'reminder') >= 1 && count(smtp.received, mailKind, 'reminder') >= 1, 120_000, 'a reminder in Slack and by mail');
    expect(Date.now() - Date.parse(String(down.since))).toBeGreaterThanOrEqual(60_000);

    target = await listen(port);
    await until(() => count(slack.accepted, slackKind, 'resolution') >= 1 && count(smtp.received, mailKind, 'resolution') >= 1, 30_000, 'the resolution in Slack and by mail');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    // Counted once the daemon has stopped: a late copy would be here too.
    expect(slack.refused).toEqual([]);
    for (const [name, kinds] of [
      ['slack', slack.accepted.map(slackKind)],
      ['email', smtp.received.map(mailKind)],
    ] as const) {
      expect(kinds.filter((k) => k === 'alert'), name).toHaveLength(1);
      expect(kinds.filter((k) => k === 'resolution'), name).toHaveLength(1);
      expect(kinds.filter((k) => k === 'reminder').length, name).toBeGreaterThanOrEqual(1);
      expect(kinds.filter((k) => k === 'other'), name).toEqual([]);
    }
    expect(daemon.lines.filter((l) => l.event === 'notify-dead')).toEqual([]);
    await close(target);
  }, 240_000);
});

const env = { SUBSCRIBE_SECRET: 'done-when-secret-0123456789abcdef0123456789' };

/** `statuspost serve --json` on port 0; resolves with its address once listening. */
function serve(root: string) {
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--json', '--port', '0', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = new Promise<{ url: string; emailSignUp?: boolean }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!) as { url: string; emailSignUp?: boolean });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, exited, address };
}

/** The first line at or after `from` that matches (lines before it were about something earlier). */
const after = (daemon: DaemonProcess, from: number, match: (line: LogLine) => boolean) => daemon.waitFor((line) => daemon.lines.indexOf(line) >= from && match(line), 120_000);

describe('done when: the subscriber', () => {
  it('confirms an email subscription through serve and receives the next incident update once, not again after a typo is fixed and the daemon restarts', async () => {
    const smtp = await startSmtp();
    const port = await freePort();
    const target = await listen(port);
    onTestFinished(() => close(target));
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/chat.yaml': check(port),
      'probes/notify.yaml': [
        'targets:',
        '  mail:',
        '    kind: email',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        '    from: "Chat status <status@example.org>"',
        'subscriptions:',
        '  email:',
        '    target: mail',
        '    secret: ${SUBSCRIBE_SECRET}',
        'groupWait: 200ms',
        '',
      ].join('\n'),
      'content/incidents/.keep': '',
    });
    const runArgs = ['--out', 'public-site', '--flush-interval', '100', '--debounce', '200', '--metrics', '127.0.0.1:0'];
    let daemon = startDaemonProcess(root, runArgs, env);
    await daemon.waitFor((line) => line.event === 'published', 120_000);

    // Sign-up through the served page: the form, the confirmation mail, its link.
    const server = serve(root);
    const { url, emailSignUp } = await server.address;
    expect(emailSignUp).toBe(true);
    const form = await fetch(new URL('subscribe/', url));
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form method="post">');
    const posted = await fetch(new URL('subscribe/', url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin }, body: 'email=reader%40example.org' });
    expect(posted.status).toBe(200);
    const signedUpBy = Date.now();
    await until(() => smtp.received.length >= 1, 30_000, 'the confirmation mail');
    const confirmation = smtp.received[0]!;
    expect(confirmation.session.to).toEqual(['reader@example.org']);
    const link = /https:\/\/status\.example\.org\/subscribe\/confirm\?token=\S+/.exec(confirmation.mail.text ?? '')?.[0];
    expect(link, confirmation.mail.text).toBeDefined();
    // The link opens a page with a button (a mail scanner opening it confirms nobody); the button posts.
    const confirmAt = new URL(new URL(link!).pathname + new URL(link!).search, url);
    const asked = await fetch(confirmAt);
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('<button type="submit">Confirm</button>');
    const confirmed = await fetch(confirmAt, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Subscribed');
    expect(smtp.received).toHaveLength(1); // nothing else until there is news

    // The next incident, dated now in the site's zone (to the second, and not before the sign-up:
    // older items never go to a subscriber).
    await until(() => Math.floor(Date.now() / 1000) * 1000 >= signedUpBy, 5_000, 'a second after the sign-up');
    const start = Date.now();
    const startText = zonedTime(start, ZONE);
    const file = join(root, `content/incidents/${startText.slice(0, 10)}-messages-delayed.md`);
    const incident = (body: string) =>
      ['---', 'title: Messages delayed', 'impact: minor', `timezone: ${ZONE}`, `start: ${startText}`, 'components:', '  chat: degraded_performance', 'updates:', `  - at: ${startText}`, '    status: investigating', `    body: ${body}`, '---', ''].join('\n');
    let from = daemon.lines.length;
    await writeFile(file, incident('Messages arrive late; we are lookng into it.'));
    await after(daemon, from, (line) => line.event === 'notify-feed' && line.events === 1);
    await until(() => smtp.received.length >= 2, 30_000, 'the incident mail');
    await after(daemon, from, (line) => line.event === 'notify-sent' && String(line.target).startsWith('subscriber:'));
    const update = smtp.received[1]!;
    expect(update.session.to).toEqual(['reader@example.org']);
    expect(update.mail.subject).toContain('Messages delayed');
    expect(update.mail.text).toContain('lookng into it');
    // Unfolded: a long header line continues on the next one (RFC 5322 folding).
    const header = (name: string) => update.mail.headerLines.find((line) => line.key === name)?.line.replace(/\r\n[ \t]+/g, ' ');
    expect(header('list-unsubscribe')).toMatch(/^List-Unsubscribe: <https:\/\/status\.example\.org\/unsubscribe\?token=[^>]+>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(update.mail.text).not.toContain('chat-port'); // subscribers never see checks

    // A typo fixed the way editors save (a new file renamed over the old): published, not re-sent.
    from = daemon.lines.length;
    const temporary = join(root, 'content/incidents/.messages-delayed.tmp');
    await writeFile(temporary, incident('Messages arrive late; we are looking into it.'));
    await rename(temporary, file);
    await after(daemon, from, (line) => line.event === 'published');
    const fed = await after(daemon, from, (line) => line.event === 'notify-feed-done');
    expect(fed).toMatchObject({ events: 0, enqueued: 0 }); // this process handed it over already
    const page = await readFile(join(root, 'public-site/incidents', `${startText.slice(0, 10)}-messages-delayed`, 'index.html'), 'utf8');
    expect(page).toContain('looking into it');

    // Restarted: the feed is read afresh, and the outbox knows the item's key.
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    daemon = startDaemonProcess(root, runArgs, env);
    const metricsLine = await daemon.waitFor((line) => line.event === 'metrics');
    await daemon.waitFor((line) => line.event === 'published', 120_000);
    const refed = await daemon.waitFor((line) => line.event === 'notify-feed-done', 120_000);
    expect(refed).toMatchObject({ events: 1, enqueued: 0 });
    // The sender is idle: nothing pending, nothing sent by this process.
    const metrics = await (await fetch(String(metricsLine.url))).text();
    expect(metrics).toContain('\nstatuspost_notify_sent_total 0\n');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    expect(smtp.received).toHaveLength(2);
    const store = await openSqliteStore({ path: join(root, 'data/history.db') });
    try {
      expect(await store.events({ since: 0, kind: 'post' })).toHaveLength(1);
      expect(await store.outboxCounts()).toMatchObject({ sent: 1, pending: 0, dead: 0 });
    } finally {
      await store.close();
    }
  }, BUILDS_MS);
});
