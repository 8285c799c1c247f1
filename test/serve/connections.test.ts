// Connections that send nothing, send slowly, or outnumber what the server keeps are closed, and a
// real request is still answered. Timeouts are configured small; waits are on events, with upper
// bounds generous enough for a busy 2-core machine, and below Node's defaults (60 s for headers,
// checked every 30 s) so that without the limits these tests fail.
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultMaxConnections, openFileLimit } from '../../src/serve/connections.ts';
import { get, servedSite } from '../helpers/served-site.ts';
import { tempDir } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';

/** A raw connection, destroyed when the test finishes; `closed` settles when the server closes it. */
async function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  // Before connect(): the server cannot accept (and start its idle clock) earlier than this. Taken at
  // 'connect' instead, it trailed the server's accept by 45 ms on a busy machine.
  const opened = performance.now();
  const socket = connect(Number(port), hostname);
  onTestFinished(() => {
    socket.destroy();
  });
  socket.on('error', () => undefined); // a reset from the server is one way of being closed
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed, opened, received: () => Buffer.concat(received).toString('latin1') };
}

/** Settles with the close time, or rejects once `ms` pass. */
const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref())]);


describe('startStaticServer connections', () => {
  it('closes a connection that sends nothing once idleTimeoutMs has passed, not before', async () => {
    const { url } = await servedSite({ 'index.html': 'home' }, { idleTimeoutMs: 400 });
    const silent = await rawConnection(url);
    const closedAt = await within(silent.closed, 15_000, 'silent connection closed');
    // Node's timers fire no earlier than asked (to the millisecond): the bound below is a floor.
    expect(closedAt - silent.opened).toBeGreaterThanOrEqual(390);
  });

  it('closes a kept-alive connection once idleTimeoutMs has passed after its answer', async () => {
    const { url } = await servedSite({ 'index.html': 'home' }, { idleTimeoutMs: 400 });
    const client = await rawConnection(url);
    client.socket.write('GET / HTTP/1.1\r\nHost: local\r\n\r\n');
    await until(() => client.received().endsWith('home'), 15_000, 'answer');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*keep-alive/i);
    await within(client.closed, 15_000, 'idle kept-alive connection closed');
  });

  it('answers 408 and closes a connection whose headers drip past headersTimeoutMs', async () => {
    const { url } = await servedSite({ 'index.html': 'home' }, { idleTimeoutMs: 5_000, headersTimeoutMs: 800 });
    const slow = await rawConnection(url);
    slow.socket.write('GET / HTTP/1.1\r\nHost: local\r\nX-Slow: ');
    // A byte every 100 ms: never idle, never done.
    const drip = setInterval(() => slow.socket.writable && slow.socket.write('a'), 100);
    onTestFinished(() => clearInterval(drip));
    await within(slow.closed, 15_000, 'slow headers closed');
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('at maxConnections, closes the connection idle the longest and answers the new one', async () => {
    const { url, server } = await servedSite({ 'index.html': 'home' }, { maxConnections: 4, idleTimeoutMs: 60_000 });
    const held = [];
    for (let i = 0; i < 4; i++) {
      held.push(await rawConnection(url));
      await until(() => server.openConnections() === i + 1, 15_000, 'server saw the connection');
    }
    const answer = await within(get(url, '/'), 15_000, 'answer past the cap');
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.raw.toString()).toBe('home');
    await within(held[0]!.closed, 15_000, 'oldest idle connection closed');
    expect(server.stats.dropped).toBe(1);
    expect(held.slice(1).map((c) => c.socket.destroyed)).toEqual([false, false, false]);
    expect(server.openConnections()).toBeLessThanOrEqual(4);
  });

  it('keeps to maxConnections when many connections arrive at once', async () => {
    const { url, server } = await servedSite({ 'index.html': 'home' }, { maxConnections: 4, idleTimeoutMs: 60_000 });
    const burst = await Promise.all(Array.from({ length: 24 }, () => rawConnection(url)));
    let open = burst.length;
    for (const connection of burst) void connection.closed.then(() => open--);
    await until(() => server.stats.dropped >= 20, 15_000, 'server dropped the surplus');
    await until(() => open <= 4, 15_000, 'surplus connections closed');
    expect(server.openConnections()).toBeLessThanOrEqual(4);
    expect((await within(get(url, '/'), 15_000, 'answer after the burst')).status).toBe(200);
  });
});

describe('defaultMaxConnections', () => {
  it('keeps half the open-file limit for connections, the rest for files and the process', () => {
    expect(defaultMaxConnections(1_024)).toBe(512);
    expect(defaultMaxConnections(256)).toBe(128);
    expect(defaultMaxConnections(20)).toBe(16);
    expect(defaultMaxConnections(undefined)).toBe(512);
  });

  it('reads the soft limit from /proc/self/limits', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${await tempDir()}/limits`;
    await writeFile(file, 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n');
    expect(openFileLimit(file)).toBe(1_024);
    expect(openFileLimit(`${file}.missing`)).toBeUndefined();
  });
});
