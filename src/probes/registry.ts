// The only place that knows every probe kind. Adding a kind: one file in src/probes/, one line here.
import type { z } from 'zod/v4';
import { dnsProbe } from './dns.ts';
import { filesystemProbe } from './filesystem.ts';
import { httpProbe } from './http.ts';
import { ntpProbe } from './ntp.ts';
import { postgresProbe } from './postgres.ts';
import { redisProbe } from './redis.ts';
import { tcpProbe } from './tcp.ts';
import { tlsProbe } from './tls.ts';
import type { CheckBase, Probe } from './types.ts';

export const probes = [httpProbe, tcpProbe, tlsProbe, dnsProbe, redisProbe, postgresProbe, filesystemProbe, ntpProbe] as const;

export type Check = z.output<(typeof probes)[number]['schema']>;

const byKind = new Map<string, Probe>(probes.map((probe) => [probe.kind, probe as unknown as Probe]));

export const probeKinds: readonly string[] = probes.map((probe) => probe.kind);

/** The probe for a kind as written, or undefined for an unknown kind (the config loader reports it). */
export function probeForKind(kind: string): Probe | undefined {
  return byKind.get(kind);
}

export function probeFor(check: CheckBase): Probe {
  const probe = byKind.get(check.kind);
  if (!probe) throw new Error(`no probe for kind "${check.kind}"`); // the schema makes this unreachable
  return probe;
}
