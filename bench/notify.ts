// notify: alerts through the real daemon under a burst, with crashes. 200 TCP checks (10 components
// of 20) probe one loopback port that the benchmark closes and opens 5 times: 1,000 confirmed check
// changes. A route sends component and check events to a loopback webhook and a loopback SMTP server
// (smtp-server). During the sending the daemon is SIGKILLed 20 times (4 per flip, at random moments in
// the 2.5 s after it) and started again at once.
//   p99_delivery_ms  webhook: first arrival of each event − its createdAt (written just before the
//                    transaction of the result that confirmed it commits: an upper bound)
//   lost             events stored with a delivery that never reached the webhook, plus deliveries
//                    (webhook or mail) not recorded as sent at the end
//   duplicates_pct   webhook copies of an event beyond the first ÷ events, in %
//   grouped_ratio    webhook messages ÷ confirmed changes
// Usage: npm run bench:notify [-- --checks 200 --flips 5 --kills 20]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { onStop, startBench } from './support/processes.ts';

startBench('bench:notify');

const { values } = parseArgs({ options: { checks: { type: 'string', default: '200' }, flips: { type: 'string', default: '5' }, kills: { type: 'string', default: '20' } } });
const CHECKS = Number(values.checks);
const FLIPS = Number(values.flips);
const KILLS = Number(values.kills);
const COMPONENTS = 10;
const repo = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The webhook: every event of every request, with its arrival time.
const arrivals: Array<{ key: string; createdAt: number; at: number; message: string }> = [];
let requests = 0;
const hook = createHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = Date.now();
    requests++;
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { idempotencyKey: string; events: Array<{ key: string; createdAt: string }> };
    for (const event of body.events) arrivals.push({ key: event.key, createdAt: Date.parse(event.createdAt), at, message: body.idempotencyKey });
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

// The SMTP server: counts what it accepts.
let mails = 0;
const smtp = new SMTPServer({
  logger: false,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      mails++;
      callback();
    });
  },
});
// A killed daemon's pooled connection is reset: expected here, not a failure.
smtp.on('error', () => undefined);
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;

// The port every check probes: open = up, closed = refused = down.
let target: Server | undefined;
const portFinder = createTcpServer();
await new Promise<void>((resolve) => portFinder.listen(0, '127.0.0.1', resolve));
const port = (portFinder.address() as AddressInfo).port;
await new Promise<void>((resolve) => portFinder.close(() => resolve()));
const open = () =>
  new Promise<void>((resolve, reject) => {
    const server = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.destroy();
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      target = server;
      resolve();
    });
  });
const shut = () => new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));

const root = await mkdtemp(join(tmpdir(), 'statuspost-bench-notify-'));
onStop(() => rm(root, { recursive: true, force: true }));
onStop(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
onStop(() => hook.close());
await mkdir(join(root, 'probes/checks'), { recursive: true });
await writeFile(join(root, 'probes/site.yaml'), 'title: Bench status\nbaseUrl: https://status.example.org\nconcurrency: 50\nstore:\n  engine: sqlite\n  path: data/history.db\n');
await writeFile(join(root, 'probes/components.yaml'), `components:\n${Array.from({ length: COMPONENTS }, (_, c) => `  - id: part-${c}\n    name: Part ${c}\n`).join('')}`);
const checks = Array.from({ length: CHECKS }, (_, i) => `  - id: node-${i}\n    component: part-${i % COMPONENTS}\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 1s\n    timeout: 500ms\n    confirm:\n      down: 1\n      up: 1\n`);
await writeFile(join(root, 'probes/checks/nodes.yaml'), `checks:\n${checks.join('')}`);
await writeFile(
  join(root, 'probes/notify.yaml'),
  `targets:\n  hook:\n    kind: webhook\n    url: \${HOOK_URL}\n  mail:\n    kind: email\n    host: 127.0.0.1\n    port: ${smtpPort}\n    from: "Status <status@example.org>"\n    to: ops@example.org\nroutes:\n  - targets: [hook, mail]\n    events: [component, check]\ngroupWait: 1s\n`,
);

let daemon: ChildProcess | undefined;
let log = '';
let startedLines = 0;
const debugLines: string[] = [];
function startDaemon(): Promise<void> {
  const child = spawn(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'run', '--root', root, '--no-publish', '--log-format', 'json', '--flush-interval', '100'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOOK_URL: hookUrl } }); // a webhook URL comes from the environment
  daemon = child;
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log = (log + text).slice(-20_000);
      if (process.env.BENCH_NOTIFY_DEBUG) for (const line of text.split('\n')) if (line.includes('notify-')) debugLines.push(line);
      if (text.includes('"event":"started"')) {
        startedLines++;
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`the daemon exited with ${code}: ${log.slice(-2000)}`));
    });
  });
}
async function kill(): Promise<void> {
  const child = daemon!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const store = await openSqliteStore({ path: join(root, 'data/history.db') });
onStop(() => store.close());
const changes = async () => (await store.events({ since: 0, kind: 'check' }).catch(() => [])).length;
const waitFor = async (what: string, condition: () => Promise<boolean>, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; outbox ${JSON.stringify(await store.outboxCounts().catch(() => null))}; daemon log tail: ${log.slice(-3000)}`);
    await sleep(100);
  }
};

await open();
await startDaemon();
await store.migrate().catch(() => undefined);
// All up first (unknown → up alerts nobody), then the flips.
await waitFor('every check up', async () => (await store.results({ since: 0 }).catch(() => [])).length >= CHECKS * 2, 60_000);
const started = Date.now();
let kills = 0;
for (let flip = 1; flip <= FLIPS; flip++) {
  if (flip % 2 === 1) await shut();
  else await open();
  const flipAt = Date.now();
  const perFlip = Math.floor(KILLS / FLIPS) + (flip <= KILLS % FLIPS ? 1 : 0);
  const moments = Array.from({ length: perFlip }, () => Math.random() * 2_500).sort((a, b) => a - b);
  for (const moment of moments) {
    // While it sends: after the (re)started daemon has delivered something, at a random moment.
    const seen = requests;
    await waitFor('a delivery before the next kill', async () => requests > seen || (await store.outboxCounts()).pending === 0);
    await sleep(Math.max(0, flipAt + moment - Date.now()));
    await kill();
    kills++;
    await startDaemon();
  }
  await waitFor(`flip ${flip} confirmed`, async () => (await changes()) >= flip * CHECKS).catch(async (error: Error) => {
    // Which checks lack their change: the last result against the last check event.
    const events = await store.events({ since: 0, kind: 'check' });
    const lastEvent = new Map(events.map((e) => [e.checks![0]!.id, e]));
    const lacking: string[] = [];
    for (let i = 0; i < CHECKS && lacking.length < 5; i++) {
      const results = await store.results({ checkId: `node-${i}`, since: 0 });
      const last = results.at(-1);
      const event = lastEvent.get(`node-${i}`);
      const expected = flip % 2 === 1 ? 'down' : 'up';
      if (event?.checks![0]!.status !== expected) lacking.push(`node-${i}: last result ${last?.status} at ${last?.startedAt}, ${results.length} results, last event ${event?.key}; statuses ${results.slice(-8).map((r) => `${r.status}@${r.startedAt % 100000}`).join(' ')}`);
    }
    throw new Error(`${error.message.slice(0, 300)}\n${lacking.join('\n')}`);
  });
}
await waitFor('the outbox empty', async () => (await store.outboxCounts()).pending === 0, 180_000);
const elapsed = Date.now() - started;
daemon!.kill('SIGTERM');
await new Promise((resolve) => daemon!.once('exit', resolve));

const events = await store.events({ since: 0, audience: 'operators' });
const counts = await store.outboxCounts();
await store.close();
const first = new Map<string, number>();
let copies = 0;
for (const arrival of arrivals) {
  copies++;
  if (!first.has(arrival.key)) first.set(arrival.key, arrival.at - arrival.createdAt);
}
const missing = events.filter((event) => !first.has(event.key)).length;
const lost = missing + counts.pending + counts.dead;
const confirmed = events.filter((event) => event.kind === 'check').length;
const delays = [...first.values()].sort((a, b) => a - b);
const pick = (q: number) => delays[Math.max(0, Math.min(delays.length - 1, Math.ceil(delays.length * q) - 1))] ?? 0;
const p99 = pick(0.99);
if (process.env.BENCH_NOTIFY_DEBUG) {
  const byArrival = [...arrivals].sort((a, b) => a.at - b.at);
  for (const line of debugLines) console.log(line.slice(0, 200));
  for (const a of byArrival.filter((_, i) => i % 25 === 0)) console.log(`${new Date(a.at).toISOString()} ${a.key} created ${new Date(a.createdAt).toISOString()} +${a.at - a.createdAt} ms`);
}
const duplicatesPct = (100 * (copies - first.size)) / Math.max(1, first.size);
// What a receiver that drops a repeated Idempotency-Key sees: copies from distinct messages only.
const keptCopies = new Set(arrivals.map((a) => `${a.message}\n${a.key}`)).size;
console.log(
  `${confirmed} confirmed check changes (${events.length - confirmed} component events) over ${CHECKS} checks in ${(elapsed / 1000).toFixed(1)} s, ${kills} SIGKILLs (${startedLines} daemon starts); ` +
    `webhook: ${requests} messages, ${copies} event copies (${keptCopies - first.size} beyond the first after dropping repeated idempotency keys), delivery ms p50 ${pick(0.5)} p90 ${pick(0.9)} p99 ${pick(0.99)} max ${pick(1)}; smtp: ${mails} mails; outbox ${JSON.stringify(counts)}`,
);
console.log(`notify: p99_delivery_ms=${p99} lost=${lost} duplicates_pct=${duplicatesPct.toFixed(2)} grouped_ratio=${(requests / Math.max(1, confirmed)).toFixed(3)}`);
process.exit(0);
