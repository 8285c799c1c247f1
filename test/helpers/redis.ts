// A throwaway redis-server per test, on a free loopback port, in the foreground, killed when the test finishes.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import { encodeCommand, parseReply, type Reply } from '../../src/probes/support/resp.ts';
import { freePort } from './net.ts';
import { realClockEnv } from './real-clock.ts';

export interface RedisOptions {
  maxclients?: number;
  requirepass?: string;
  /** The server's working folder (where a background save writes). */
  dir?: string;
}

export interface TestRedis {
  port: number;
  /** Runs one command on a fresh connection (authenticated when the server has a password). */
  command(...args: string[]): Promise<Reply>;
  /** A field of INFO, e.g. connected_clients, as the server reports it now. */
  info(field: string): Promise<string | undefined>;
}

export async function startRedis(program: string, options: RedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--maxclients', String(options.maxclients ?? 100), '--loglevel', 'warning', '--logfile', '');
  if (options.requirepass !== undefined) args.push('--requirepass', options.requirepass);
  if (options.dir !== undefined) args.push('--dir', options.dir);
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: realClockEnv() });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTestFinished(async () => {
    child.kill('SIGKILL');
    await exited;
  });

  const command = async (...commandArgs: string[]): Promise<Reply> => {
    const auth = options.requirepass === undefined ? [] : [['AUTH', options.requirepass]];
    const replies = await exchange(port, [...auth, commandArgs]);
    return replies[replies.length - 1]!;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await command('PING');
      break;
    } catch (error) {
      if (attempt >= 250 || child.exitCode !== null) {
        throw new Error(`redis-server did not start: ${(error as Error).message}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return {
    port,
    command,
    async info(field) {
      const reply = await command('INFO');
      if (reply.type !== 'bulk' || reply.text === null) throw new Error(`INFO answered ${JSON.stringify(reply)}`);
      return new RegExp(`^${field}:(.*)$`, 'm').exec(reply.text)?.[1]?.trim();
    },
  };
}

/** Sends the commands on one new connection and returns one reply per command, then closes it. */
export async function exchange(port: number, commands: readonly (readonly string[])[]): Promise<Reply[]> {
  const socket = connect(port, '127.0.0.1');
  try {
    socket.write(Buffer.concat(commands.map((args) => encodeCommand(args))));
    return await readReplies(socket, commands.length);
  } finally {
    socket.destroy();
  }
}

/**
 * Opens `count` connections and keeps them open until the test finishes; each has been answered
 * (PING → PONG, or AUTH first), so the server counts all of them when this resolves.
 */
export async function holdClients(port: number, count: number, password?: string): Promise<Socket[]> {
  const sockets: Socket[] = [];
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
  });
  for (let index = 0; index < count; index++) {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    const commands = password === undefined ? [['PING']] : [['AUTH', password], ['PING']];
    socket.write(Buffer.concat(commands.map((args) => encodeCommand(args))));
    const replies = await readReplies(socket, commands.length);
    const last = replies[replies.length - 1];
    if (last?.type !== 'simple' || last.text !== 'PONG') throw new Error(`client ${index + 1} got ${JSON.stringify(last)}`);
  }
  return sockets;
}

function readReplies(socket: Socket, count: number): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const replies: Reply[] = [];
    const timer = setTimeout(() => done(new Error('no reply within 5 s')), 5_000);
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', done);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(replies);
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const outcome = parseReply(buffer);
        if (outcome.type === 'incomplete') return;
        if (outcome.type !== 'reply') return done(new Error(`bad reply: ${outcome.type}`));
        replies.push(outcome.reply);
        buffer = buffer.subarray(outcome.next);
        if (replies.length === count) return done();
      }
    };
    const onClose = () => done(new Error('connection closed before the replies'));
    socket.on('data', onData);
    socket.once('error', done);
    socket.once('close', onClose);
  });
}
