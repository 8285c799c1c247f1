// redis: does the server take a new client, and how close is it to refusing the next one.
// A full maxclients locks out every new sign-in while connected users carry on, so the probe compares
// connected clients with maxclients and warns well before the limit.
//
// No client library on purpose: general clients reconnect and retry on their own and hide their
// timeouts, so a probe using one can report "up" after a silent second attempt or hang past its
// deadline. Speaking RESP directly gives one connection, one attempt, and a hard deadline.
import { isIP, connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { z } from 'zod/v4';
import { deadlineFor, timeoutMessage } from './support/deadline.ts';
import { describeNetError } from './support/net-errors.ts';
import { DEFAULT_REPLY_LIMITS, encodeCommand, parseReply, type Reply } from './support/resp.ts';
import {
  checkBaseShape,
  degraded,
  down,
  formatLatency,
  normalizeBase,
  portSchema,
  since,
  up,
  type CheckResult,
  type DetailValue,
  type Probe,
} from './types.ts';

export const redisCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('redis'),
    host: z.string().min(1),
    port: portSchema.default(6379),
    /** Write it as ${REDIS_PASSWORD}; the loader expands it. */
    password: z.string().min(1).optional(),
    /** An ACL user; needs a password. */
    username: z.string().min(1).optional(),
    tls: z.boolean().default(false),
    /** Degraded once connected clients reach this share of maxclients. */
    clientsRatio: z.number().gt(0).max(1).default(0.8),
  })
  .refine((check) => check.username === undefined || check.password !== undefined, {
    message: 'username needs a password too (Redis ACL users authenticate with both)',
    path: ['username'],
  })
  .transform(normalizeBase);

export type RedisCheck = z.output<typeof redisCheckSchema>;

/** A failure whose message is safe to publish. */
class Failure extends Error {}

export const redisProbe: Probe<RedisCheck> = {
  kind: 'redis',
  schema: redisCheckSchema,
  targets: (check) => [check.host],
  async run(check, stop) {
    const startedAt = Date.now();
    const t0 = performance.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    const connection = openConnection(check, deadline.signal);
    try {
      return await inspect(check, connection, { startedAt, t0 });
    } catch (error) {
      if (deadline.signal.aborted) {
        const what = connection.isConnected() ? 'no answer' : 'no connection';
        return down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs, what) });
      }
      return down(check, { startedAt, message: error instanceof Failure ? error.message : describeNetError(error) });
    } finally {
      connection.destroy();
      deadline.dispose();
    }
  },
};

async function inspect(check: RedisCheck, connection: Connection, at: { startedAt: number; t0: number }): Promise<CheckResult> {
  if (check.password !== undefined) {
    const auth = check.username === undefined ? ['AUTH', check.password] : ['AUTH', check.username, check.password];
    expectNoError('AUTH', await connection.command(auth));
  }
  const pong = expectNoError('PING', await connection.command(['PING']));
  if (pong.type !== 'simple' || pong.text !== 'PONG') throw new Failure('invalid reply from server');
  const latencyMs = since(at.t0);

  const info = expectNoError('INFO', await connection.command(['INFO']));
  if (info.type !== 'bulk' || info.text === null) throw new Failure('invalid reply from server');
  const fields = parseInfo(info.text);
  const connectedClients = integerField(fields, 'connected_clients');
  if (connectedClients === undefined) throw new Failure('invalid reply from server');
  let maxClients = integerField(fields, 'maxclients'); // in INFO clients since Redis 7
  let maxClientsFrom = 'info';
  if (maxClients === undefined) {
    maxClients = await maxClientsFromConfig(connection);
    maxClientsFrom = maxClients === undefined ? 'unknown (CONFIG GET refused)' : 'config';
  }
  await connection.quit();

  // INFO counts this probe's own connection, which is gone a moment later: report the others.
  const clients = Math.max(0, connectedClients - 1);
  const details: Record<string, DetailValue> = {
    connectedClients: clients,
    maxClients: maxClients ?? null,
    maxClientsFrom,
    rejectedConnections: integerField(fields, 'rejected_connections') ?? null,
    role: fields.get('role') ?? null,
    version: fields.get('redis_version') ?? null,
    rdbLastBgsaveStatus: fields.get('rdb_last_bgsave_status') ?? null,
    aofEnabled: fields.get('aof_enabled') === '1',
    aofLastWriteStatus: fields.get('aof_last_write_status') ?? null,
  };

  const problems: string[] = [];
  if (maxClients !== undefined && maxClients > 0 && clients / maxClients >= check.clientsRatio) {
    const percent = Math.floor((clients * 100) / maxClients);
    problems.push(`connected clients at ${percent}% of maxclients (${clients} of ${maxClients})`);
  }
  const bgsave = fields.get('rdb_last_bgsave_status');
  if (bgsave !== undefined && bgsave !== 'ok') problems.push(`persistence failing (last background save: ${safeWord(bgsave)})`);
  const aofWrite = fields.get('aof_last_write_status');
  if (details.aofEnabled && aofWrite !== undefined && aofWrite !== 'ok') {
    problems.push(`persistence failing (last AOF write: ${safeWord(aofWrite)})`);
  }

  const base = { startedAt: at.startedAt, latencyMs, details };
  if (problems.length > 0) return degraded(check, { ...base, message: problems.join('; ') });
  const counts = maxClients === undefined ? `${clients} clients (maxclients unknown)` : `${clients} of ${maxClients} clients`;
  return up(check, { ...base, message: `PONG in ${formatLatency(latencyMs)}, ${counts}` });
}

async function maxClientsFromConfig(connection: Connection): Promise<number | undefined> {
  // CONFIG is often renamed or forbidden to application users; then the ratio is skipped, not failed.
  const reply = await connection.command(['CONFIG', 'GET', 'maxclients']);
  if (reply.type !== 'array' || reply.items === null) return undefined;
  const value = reply.items[1];
  return value?.type === 'bulk' && value.text !== null && /^\d+$/.test(value.text) ? Number(value.text) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Error replies: chosen by their leading code, never echoed (they can name users and keys).

function expectNoError(command: string, reply: Reply): Reply {
  if (reply.type === 'error') throw new Failure(describeErrorReply(command, reply.text));
  return reply;
}

function describeErrorReply(command: string, text: string): string {
  const code = /^[A-Z]+/.exec(text)?.[0] ?? '';
  if (/^ERR max number of clients reached/.test(text)) return 'server refuses new clients: max number of clients reached';
  if (code === 'WRONGPASS' || /^ERR invalid (username-)?password/.test(text)) return 'authentication failed';
  if (/^ERR (AUTH .* called without any password configured|Client sent AUTH, but no password is set)/.test(text)) {
    return 'authentication failed: a password is given but the server has none';
  }
  if (code === 'NOAUTH') return 'authentication required';
  if (code === 'LOADING') return 'server is loading its dataset';
  if (code === 'BUSY') return 'server is busy running a script';
  if (code === 'NOPERM') return `the probe's user may not run ${command}`;
  return code ? `server answered ${command} with an error (${code})` : `server answered ${command} with an error`;
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

function integerField(fields: Map<string, string>, name: string): number | undefined {
  const value = fields.get(name);
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/** Status words go into published messages: keep them to plain lowercase words. */
function safeWord(value: string): string {
  return /^[a-z_]{1,20}$/.test(value) ? value : 'unknown';
}

// ---------------------------------------------------------------------------------------------
// One connection, one request at a time, no reconnects. Replies are read in order, so an error the
// server sends on accept (maxclients reached) is what the first command receives.

interface Connection {
  command(args: readonly string[]): Promise<Reply>;
  /** QUIT, then wait for the server to hang up, so it has freed the client before we report. */
  quit(): Promise<void>;
  isConnected(): boolean;
  destroy(): void;
}

function openConnection(check: RedisCheck, signal: AbortSignal): Connection {
  const servername = isIP(check.host) ? undefined : check.host;
  const socket: Socket = check.tls
    ? connectTls({ host: check.host, port: check.port, ...(servername ? { servername } : {}) })
    : connectTcp({ host: check.host, port: check.port });
  let buffer = Buffer.alloc(0);
  let connected = false;
  let closed = false;
  let failure: unknown;
  let wake: (() => void) | undefined;

  const fail = (error: unknown) => {
    failure ??= error;
    wake?.();
  };
  socket.once(check.tls ? 'secureConnect' : 'connect', () => (connected = true));
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (buffer.length > DEFAULT_REPLY_LIMITS.maxBytes) {
      socket.pause(); // stop reading what we will not parse
      fail(new Failure('reply too large'));
    }
    wake?.();
  });
  socket.on('error', fail);
  socket.on('close', () => {
    closed = true;
    fail(new Failure('connection closed by the server'));
  });
  const onAbort = () => fail(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });

  const nextReply = async (): Promise<Reply> => {
    for (;;) {
      const outcome = parseReply(buffer);
      if (outcome.type === 'reply') {
        buffer = buffer.subarray(outcome.next);
        return outcome.reply;
      }
      if (outcome.type === 'invalid') throw new Failure('invalid reply from server');
      if (outcome.type === 'too-large') throw new Failure('reply too large');
      if (failure !== undefined) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };

  return {
    command(args) {
      if (failure === undefined) socket.write(encodeCommand(args));
      return nextReply();
    },
    async quit() {
      try {
        await this.command(['QUIT']);
        while (!closed && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
      } catch {
        // The answer is already in hand; a server that hangs up without +OK changes nothing.
      }
    },
    isConnected: () => connected,
    destroy() {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
    },
  };
}
