// dns: does a named resolver answer for a name, with the records we expect, in good time.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod/v4';
import { deadlineFor, timeoutMessage } from './support/deadline.ts';
import { describeNetError, errorCode } from './support/net-errors.ts';
import {
  checkBaseShape,
  degraded,
  down,
  durationSchema,
  normalizeBase,
  portSchema,
  since,
  up,
  type CheckResult,
  type Probe,
} from './types.ts';

const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV'] as const;
type RecordType = (typeof RECORD_TYPES)[number];

export const dnsCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('dns'),
    // Not `name`: every check already has `name`, its display title.
    query: z.string().min(1),
    type: z.enum(RECORD_TYPES).default('A'),
    // An address, not a name: resolving the resolver would put the system resolver back in the loop.
    server: z.string().refine((value) => isIP(value) !== 0, { error: 'must be an IP address, e.g. 10.0.0.2 or fd00::53' }),
    port: portSchema.default(53),
    expect: z.array(z.string().min(1)).min(1).optional(),
    degradedAfter: durationSchema.optional(),
  })
  .transform(({ degradedAfter, ...rest }) => ({ ...normalizeBase(rest), degradedAfterMs: degradedAfter }));

export type DnsCheck = z.output<typeof dnsCheckSchema>;

// Resolver codes (c-ares) that describeNetError does not know, or knows with a socket meaning.
const PHRASES: Record<string, string> = {
  ENOTFOUND: 'name does not exist (NXDOMAIN)',
  ESERVFAIL: 'server failure (SERVFAIL)',
  EREFUSED: 'query refused (REFUSED)',
  EFORMERR: 'server rejected the query as malformed (FORMERR)',
  ENOTIMP: 'server does not support the query (NOTIMP)',
  EBADRESP: 'invalid reply from server',
  EBADNAME: 'name is not a valid DNS name',
  ECONNREFUSED: 'connection refused',
};

/** Longest answer list kept in details: a TXT-heavy name must not bloat every stored result. */
const ANSWERS_MAX_CHARS = 1_000;

export const dnsProbe: Probe<DnsCheck> = {
  kind: 'dns',
  schema: dnsCheckSchema,
  targets: (check) => [check.server, check.query],
  run(check, stop) {
    const startedAt = Date.now();
    const t0 = performance.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    const resolver = new Resolver({ timeout: check.timeoutMs, tries: 1 });
    resolver.setServers([isIP(check.server) === 6 ? `[${check.server}]:${check.port}` : `${check.server}:${check.port}`]);
    return new Promise<CheckResult>((resolve) => {
      let settled = false;
      const finish = (result: CheckResult) => {
        if (settled) return;
        settled = true;
        deadline.dispose();
        resolve(result);
      };
      const onAbort = () => {
        resolver.cancel();
        finish(down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs) }));
      };
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
      query(resolver, check.query, check.type).then(
        (answers) => finish(judge(check, answers, startedAt, since(t0))),
        (error: unknown) => finish(down(check, { startedAt, message: describeDnsError(error, check) })),
      );
    });
  },
};

/** Every answer as one comparable string: MX "priority exchange", SRV "priority weight port target". */
async function query(resolver: Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    case 'SRV':
      return (await resolver.resolveSrv(name)).map((srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`);
  }
}

function judge(check: DnsCheck, answers: string[], startedAt: number, latencyMs: number): CheckResult {
  if (answers.length === 0) return down(check, { startedAt, latencyMs, message: `no ${check.type} records for the name` });
  const details = { answerCount: answers.length, answers: answers.join(', ').slice(0, ANSWERS_MAX_CHARS) };
  const found = new Set(answers.map((answer) => comparable(answer, check.type)));
  const missing = (check.expect ?? []).filter((wanted) => !found.has(comparable(wanted, check.type)));
  if (missing.length > 0) {
    return down(check, {
      startedAt,
      latencyMs,
      message: 'answer lacks an expected record',
      details: { ...details, missing: missing.join(', ').slice(0, ANSWERS_MAX_CHARS) },
    });
  }
  const records = `${answers.length} ${check.type} record${answers.length === 1 ? '' : 's'}`;
  const took = `resolved ${records} in ${Math.round(latencyMs)} ms`;
  if (check.degradedAfterMs !== undefined && latencyMs > check.degradedAfterMs) {
    return degraded(check, { startedAt, latencyMs, message: `${took} (limit ${check.degradedAfterMs} ms)`, details });
  }
  return up(check, { startedAt, latencyMs, message: took, details });
}

/** Names compare without case or trailing dot; TXT is data, so it compares exactly. */
function comparable(value: string, type: RecordType): string {
  return type === 'TXT' ? value : value.toLowerCase().replace(/\.$/, '');
}

function describeDnsError(error: unknown, check: DnsCheck): string {
  const code = errorCode(error);
  if (code === 'ENODATA') return `no ${check.type} records for the name`;
  if (code === 'ETIMEOUT') return `no answer within ${check.timeoutMs} ms`;
  if (code !== undefined && code in PHRASES) return PHRASES[code]!;
  return describeNetError(error);
}
