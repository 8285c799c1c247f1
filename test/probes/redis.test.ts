import { rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { redisProbe } from '../../src/probes/redis.ts';
import { encodeCommand, parseReply, type ParseOutcome, type Reply } from '../../src/probes/support/resp.ts';
import { blackholePort, freePort, neverAborted, serveTcp } from '../helpers/net.ts';
import { exchange, holdClients, startRedis } from '../helpers/redis.ts';
import { requireProgram } from '../helpers/services.ts';
import { tempDir } from '../helpers/temp.ts';

const redisServer = await requireProgram('redis-server');

const check = (port: number, options: Record<string, unknown> = {}) =>
  redisProbe.schema.parse({ id: 'chat-redis', component: 'sessions', kind: 'redis', host: '127.0.0.1', port, timeout: '2s', ...options });

/** A scripted RESP server: `answer` gets each command's arguments and returns the raw reply bytes. */
async function serveResp(answer: (args: string[]) => string | undefined): Promise<{ port: number; sockets: Set<Socket> }> {
  return serveTcp((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let outcome = parseReply(buffer); outcome.type === 'reply'; outcome = parseReply(buffer)) {
        buffer = buffer.subarray(outcome.next);
        const items = outcome.reply.type === 'array' ? (outcome.reply.items ?? []) : [];
        const reply = answer(items.map((item) => (item.type === 'bulk' ? (item.text ?? '') : '')));
        if (reply !== undefined) socket.write(reply);
        if (items[0]?.type === 'bulk' && items[0].text === 'QUIT') socket.end();
      }
    });
  });
}

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
const info = (lines: string[]) => bulk(['# Server', 'redis_version:6.2.0', 'role:master', '', ...lines, ''].join('\r\n'));

describe('resp', () => {
  it.each([
    { args: ['PING'], wire: '*1\r\n$4\r\nPING\r\n' },
    { args: ['AUTH', 'sécret'], wire: '*2\r\n$4\r\nAUTH\r\n$7\r\nsécret\r\n' },
    { args: ['CONFIG', 'GET', ''], wire: '*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$0\r\n\r\n' },
  ])('encodes $args as arrays of bulk strings', ({ args, wire }) => {
    expect(encodeCommand(args).toString('utf8')).toBe(wire);
  });

  const limits = { maxBytes: 16, maxItems: 3, maxDepth: 2 };
  const reply = (value: Reply, next: number): ParseOutcome => ({ type: 'reply', reply: value, next });
  it.each<{ wire: string; expected: ParseOutcome }>([
    { wire: '+PONG\r\n', expected: reply({ type: 'simple', text: 'PONG' }, 7) },
    { wire: '+\r\n', expected: reply({ type: 'simple', text: '' }, 3) },
    { wire: '-ERR max number of clients reached\r\n', expected: reply({ type: 'error', text: 'ERR max number of clients reached' }, 36) },
    { wire: ':-42\r\n', expected: reply({ type: 'integer', value: -42 }, 6) },
    { wire: '$3\r\nabc\r\n+next', expected: reply({ type: 'bulk', text: 'abc' }, 9) },
    { wire: '$0\r\n\r\n', expected: reply({ type: 'bulk', text: '' }, 6) },
    { wire: '$-1\r\n', expected: reply({ type: 'bulk', text: null }, 5) },
    { wire: '*-1\r\n', expected: reply({ type: 'array', items: null }, 5) },
    {
      wire: '*2\r\n$10\r\nmaxclients\r\n$2\r\n10\r\n',
      expected: reply({ type: 'array', items: [{ type: 'bulk', text: 'maxclients' }, { type: 'bulk', text: '10' }] }, 29),
    },
    { wire: '', expected: { type: 'incomplete' } },
    { wire: '+PO', expected: { type: 'incomplete' } },
    { wire: '$3\r\nab', expected: { type: 'incomplete' } },
    { wire: '*2\r\n:1\r\n', expected: { type: 'incomplete' } },
    { wire: 'HTTP/1.1 400 Bad Request\r\n', expected: { type: 'invalid' } },
    { wire: 'SSH-2.0-OpenSSH', expected: { type: 'invalid' } },
    { wire: ':12x\r\n', expected: { type: 'invalid' } },
    { wire: '$abc\r\n', expected: { type: 'invalid' } },
    { wire: '$-2\r\n', expected: { type: 'invalid' } },
    { wire: '$3\r\nabcde\r\n', expected: { type: 'invalid' } },
    { wire: '$17\r\n', expected: { type: 'too-large' } },
    { wire: '*4\r\n', expected: { type: 'too-large' } },
    { wire: '*1\r\n*1\r\n*1\r\n:1\r\n', expected: { type: 'too-large' } },
    { wire: `+${'x'.repeat(20)}`, expected: { type: 'too-large' } },
  ])('parses $wire', ({ wire, expected }) => {
    expect(parseReply(Buffer.from(wire), 0, limits)).toEqual(expected);
  });
});

describe('redis probe', () => {
  it.skipIf(!redisServer)('reports up with the PING time and the client counts', async () => {
    const redis = await startRedis(redisServer!, { maxclients: 10 });
    const result = await redisProbe.run(check(redis.port), neverAborted());
    expect(result).toMatchObject({ checkId: 'chat-redis', kind: 'redis', status: 'up' });
    expect(result.message).toMatch(/^PONG in (under 1|\d+) ms, 0 of 10 clients$/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.details).toMatchObject({
      connectedClients: 0,
      maxClients: 10,
      maxClientsFrom: 'info',
      rejectedConnections: 0,
      role: 'master',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      rdbLastBgsaveStatus: 'ok',
      aofEnabled: false,
    });
  });

  it.skipIf(!redisServer)('leaves no connection behind', async () => {
    const redis = await startRedis(redisServer!);
    await holdClients(redis.port, 2);
    const baseline = await redis.info('connected_clients'); // the held two plus the asking connection
    const result = await redisProbe.run(check(redis.port), neverAborted());
    expect(result.message).toMatch(/, 2 of 100 clients$/);
    expect(await redis.info('connected_clients')).toBe(baseline);
  });

  it.skipIf(!redisServer)('authenticates with the password and reports a wrong or missing one', async () => {
    const redis = await startRedis(redisServer!, { requirepass: 's3cret-pass' });
    const right = await redisProbe.run(check(redis.port, { password: 's3cret-pass' }), neverAborted());
    const wrong = await redisProbe.run(check(redis.port, { password: 'not-it' }), neverAborted());
    const missing = await redisProbe.run(check(redis.port), neverAborted());
    expect(right).toMatchObject({ status: 'up' });
    expect(wrong).toMatchObject({ status: 'down', message: 'authentication failed', latencyMs: null });
    expect(missing).toMatchObject({ status: 'down', message: 'authentication required', latencyMs: null });
    expect(JSON.stringify([right, wrong])).not.toMatch(/s3cret-pass|not-it/);
  });

  it.skipIf(!redisServer)('authenticates an ACL user with username and password', async () => {
    const redis = await startRedis(redisServer!);
    expect(await redis.command('ACL', 'SETUSER', 'probe', 'on', '>probe-pass', '+ping', '+info', '+quit')).toEqual({
      type: 'simple',
      text: 'OK',
    });
    const result = await redisProbe.run(check(redis.port, { username: 'probe', password: 'probe-pass' }), neverAborted());
    const wrong = await redisProbe.run(check(redis.port, { username: 'probe', password: 'nope' }), neverAborted());
    expect(result.status).toBe('up');
    expect(wrong).toMatchObject({ status: 'down', message: 'authentication failed' });
  });

  it.skipIf(!redisServer)('reports a password the server does not expect', async () => {
    const redis = await startRedis(redisServer!);
    const result = await redisProbe.run(check(redis.port, { password: 'unneeded' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'authentication failed: a password is given but the server has none' });
  });

  it.skipIf(!redisServer)('reports down when maxclients is reached and new clients are refused', async () => {
    const redis = await startRedis(redisServer!, { maxclients: 5 });
    await holdClients(redis.port, 5);
    // What a signing-in user's connection gets at this point: an error on accept, then a hang-up.
    expect(await exchange(redis.port, [['PING']])).toEqual([{ type: 'error', text: 'ERR max number of clients reached' }]);
    const result = await redisProbe.run(check(redis.port), neverAborted());
    expect(result).toMatchObject({
      status: 'down',
      message: 'server refuses new clients: max number of clients reached',
      latencyMs: null,
    });
  });

  it.skipIf(!redisServer)('reports degraded when connected clients reach 80% of maxclients', async () => {
    const redis = await startRedis(redisServer!, { maxclients: 5 });
    await holdClients(redis.port, 4); // the probe is the fifth: the server is full while it asks
    const result = await redisProbe.run(check(redis.port), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'connected clients at 80% of maxclients (4 of 5)' });
    expect(result.details).toMatchObject({ connectedClients: 4, maxClients: 5 });
  });

  it.skipIf(!redisServer)('honours a custom clientsRatio', async () => {
    const redis = await startRedis(redisServer!, { maxclients: 5 });
    await holdClients(redis.port, 4);
    const result = await redisProbe.run(check(redis.port, { clientsRatio: 0.9 }), neverAborted());
    expect(result.status).toBe('up');
    expect(result.message).toMatch(/, 4 of 5 clients$/);
  });

  it.skipIf(!redisServer)('reports degraded when the last background save failed', async () => {
    const dir = await tempDir('statuspost-redis-');
    const redis = await startRedis(redisServer!, { dir });
    await rm(dir, { recursive: true }); // the save cannot create its file
    await redis.command('BGSAVE');
    await vi.waitFor(async () => expect(await redis.info('rdb_bgsave_in_progress')).toBe('0'), { timeout: 5_000 });
    const result = await redisProbe.run(check(redis.port), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'persistence failing (last background save: err)' });
    expect(result.details).toMatchObject({ rdbLastBgsaveStatus: 'err' });
  });

  it('falls back to CONFIG GET when INFO has no maxclients (Redis before 7)', async () => {
    const { port } = await serveResp(([command]) =>
      command === 'PING' ? '+PONG\r\n'
      : command === 'INFO' ? info(['# Clients', 'connected_clients:9'])
      : command === 'CONFIG' ? '*2\r\n$10\r\nmaxclients\r\n$2\r\n10\r\n'
      : '+OK\r\n',
    );
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'connected clients at 80% of maxclients (8 of 10)' });
    expect(result.details).toMatchObject({ maxClients: 10, maxClientsFrom: 'config', version: '6.2.0' });
  });

  it('skips the clients ratio when CONFIG is refused, and says so', async () => {
    const { port } = await serveResp(([command]) =>
      command === 'PING' ? '+PONG\r\n'
      : command === 'INFO' ? info(['connected_clients:13'])
      : command === 'CONFIG' ? "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'maxclients'\r\n"
      : '+OK\r\n',
    );
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result.status).toBe('up');
    expect(result.message).toMatch(/^PONG in (under 1|\d+) ms, 12 clients \(maxclients unknown\)$/);
    expect(result.details).toMatchObject({ maxClients: null, maxClientsFrom: 'unknown (CONFIG GET refused)' });
  });

  it.each([
    { reply: '-LOADING Redis is loading the dataset in memory\r\n', message: 'server is loading its dataset' },
    { reply: '-BUSY Redis is busy running a script.\r\n', message: 'server is busy running a script' },
    { reply: "-NOPERM this user has no permissions to run the 'ping' command\r\n", message: "the probe's user may not run PING" },
    { reply: '-MASTERDOWN Link with MASTER is down\r\n', message: 'server answered PING with an error (MASTERDOWN)' },
    { reply: '+OK\r\n', message: 'invalid reply from server' },
  ])('reports $message when PING is answered with $reply', async ({ reply, message }) => {
    const { port } = await serveResp(() => reply);
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message, latencyMs: null });
  });

  it('reports down with "reply too large" when a reply declares more than it may', async () => {
    const { port } = await serveResp(([command]) => (command === 'PING' ? '+PONG\r\n' : '$2000000\r\n'));
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'reply too large' });
  });

  it('reports down with "reply too large" when a reply line never ends', async () => {
    const { port } = await serveTcp((socket) => {
      socket.write(`+${'x'.repeat(2 * 1024 * 1024)}`);
    });
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'reply too large' });
  });

  it('reports down with "invalid reply from server" when the server speaks something else', async () => {
    const { port } = await serveTcp((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'invalid reply from server', latencyMs: null });
  });

  it('reports down when the server hangs up without a reply', async () => {
    const { port } = await serveTcp((socket) => socket.end());
    const result = await redisProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection closed by the server' });
  });

  it('reports down with "connection refused" and no address when nothing listens', async () => {
    const result = await redisProbe.run(check(await freePort()), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('reports down by its deadline when the handshake never completes', async () => {
    const result = await redisProbe.run(check(await blackholePort(), { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no connection within 300 ms', latencyMs: null });
  });

  it('reports down by its deadline and hangs up when the server never answers', async () => {
    const { port, sockets } = await serveTcp((socket) => socket.resume()); // reads, so it sees the hang-up
    const result = await redisProbe.run(check(port, { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no answer within 300 ms', latencyMs: null });
    await vi.waitFor(() => expect(sockets.size).toBe(0));
  });

  it('reports a TLS handshake answered in plain text as a protocol problem', async () => {
    const { port } = await serveTcp((socket) => socket.once('data', () => socket.write('-ERR unknown command\r\n')));
    const result = await redisProbe.run(check(port, { tls: true }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'protocol error during the handshake', latencyMs: null });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = redisProbe.run(check(await blackholePort(), { timeout: '10s' }), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
  });

  it('fills in defaults and rejects a username without a password', () => {
    const parsed = redisProbe.schema.parse({ id: 'r', component: 'c', kind: 'redis', host: 'cache.internal' });
    expect(parsed).toMatchObject({ port: 6379, tls: false, clientsRatio: 0.8, timeoutMs: 10_000 });
    expect(redisProbe.targets(parsed)).toEqual(['cache.internal']);
    const bad = redisProbe.schema.safeParse({ id: 'r', component: 'c', kind: 'redis', host: 'h', username: 'probe' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues).toMatchObject([
      { path: ['username'], message: 'username needs a password too (Redis ACL users authenticate with both)' },
    ]);
  });
});
