// DNS servers for probe tests, loopback only: dnsmasq with a fixed zone, and a tiny responder for
// answers dnsmasq will not give on demand (SERVFAIL, a slow answer, silence).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { onTestFinished } from 'vitest';
import { freePort } from './net.ts';

/** The zone dnsmasq serves; everything under it is answered locally, never forwarded. */
export const ZONE = 'cluster.example.test';

const RECORDS = [
  `--host-record=chat.${ZONE},127.0.0.10`,
  `--host-record=chat.${ZONE},127.0.0.11`,
  `--host-record=v6.${ZONE},::1`,
  `--cname=www.${ZONE},chat.${ZONE}`,
  `--mx-host=${ZONE},mail.${ZONE},10`,
  `--mx-host=${ZONE},backup.${ZONE},20`,
  `--srv-host=_xmpp-client._tcp.${ZONE},chat.${ZONE},5222,5,10`,
  // Two character-strings, which the probe joins into one value.
  `--txt-record=${ZONE},v=spf1 ip4:127.0.0.10 ,-all`,
];

/**
 * dnsmasq on a free loopback port, killed when the test finishes. No resolv.conf and no --server,
 * so it has no upstream at all: names outside ZONE are REFUSED, nothing leaves the machine.
 */
export async function startDnsmasq(binary: string): Promise<{ port: number }> {
  let lastProblem = '';
  // freePort() checks TCP only; a UDP clash makes dnsmasq exit, so try again on another port.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const outcome = await tryDnsmasq(binary, port);
    if (outcome === 'ready') return { port };
    lastProblem = outcome;
  }
  throw new Error(`dnsmasq did not start: ${lastProblem}`);
}

async function tryDnsmasq(binary: string, port: number): Promise<'ready' | string> {
  const child = spawn(
    binary,
    [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--pid-file=',
      `--user=${userInfo().username}`,
      '--log-facility=-',
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      `--port=${port}`,
      `--local=/${ZONE}/`,
      ...RECORDS,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited (${code ?? signal}): ${stderr.trim()}`));
    child.once('error', (error) => resolve(error.message));
  });
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(killer);
  });
  return Promise.race([answers(port, () => child.exitCode !== null || child.signalCode !== null), exited]);
}

/** Polls until dnsmasq answers a known name (it binds, then reads its options, then answers). */
async function answers(port: number, gone: () => boolean): Promise<'ready'> {
  const deadline = Date.now() + 5_000;
  while (!gone()) {
    const resolver = new Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    try {
      await resolver.resolve4(`chat.${ZONE}`);
      return 'ready';
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return new Promise<'ready'>(() => undefined); // the exit report wins the race
}

export type Responder =
  | { rcode: number }
  | { answerA: string[]; delayMs: number }
  /** Receives queries and never answers. */
  | { silent: true };

/** A hand-written UDP DNS server on loopback for the answers dnsmasq cannot be told to give. */
export async function startDnsResponder(behaviour: Responder, host: '127.0.0.1' | '::1' = '127.0.0.1'): Promise<{ port: number }> {
  const socket = createSocket(host === '::1' ? 'udp6' : 'udp4');
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  socket.on('message', (query, peer) => {
    if ('silent' in behaviour) return;
    const reply = 'rcode' in behaviour ? replyTo(query, behaviour.rcode, []) : replyTo(query, 0, behaviour.answerA);
    if (!reply) return;
    const delay = 'delayMs' in behaviour ? behaviour.delayMs : 0;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) socket.send(reply, peer.port, peer.address);
    }, delay);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  onTestFinished(async () => {
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  });
  return { port: (socket.address() as AddressInfo).port };
}

/** Header + the query's own question + A records; undefined for a datagram that is not a query. */
function replyTo(query: Buffer, rcode: number, addresses: string[]): Buffer | undefined {
  if (query.length < 12) return undefined;
  let end = 12;
  while (end < query.length && query[end] !== 0) end += query[end]! + 1;
  end += 5; // the root label's zero byte, then QTYPE and QCLASS
  if (end > query.length) return undefined;

  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header[2] = 0x80 | (query[2]! & 0x79); // QR, the query's opcode and RD
  header[3] = 0x80 | (rcode & 0x0f); // RA, rcode
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // name: pointer to the question's name
    record.writeUInt16BE(1, 2); // A
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(60, 6); // TTL
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, index) => record.writeUInt8(Number(octet), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, end), ...records]);
}
