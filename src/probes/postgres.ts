// postgres: can a new session start and run a query, and how close is the server to max_connections.
import type { Client, ClientConfig } from 'pg';
import { z } from 'zod/v4';
import { deadlineFor, timeoutMessage, untilAborted } from './support/deadline.ts';
import { describeNetError } from './support/net-errors.ts';
import {
  checkBaseShape,
  degraded,
  down,
  formatLatency,
  normalizeBase,
  portSchema,
  postgresUrlSchema,
  since,
  up,
  type CheckResult,
  type DetailValue,
  type Probe,
} from './types.ts';

const DEFAULT_PORT = 5432;
const DISCRETE_KEYS = ['host', 'port', 'database', 'user', 'password'] as const;

export const postgresCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('postgres'),
    /** A connection string; write it as ${DATABASE_URL} so it stays out of the file. */
    url: postgresUrlSchema.optional(),
    host: z.string().min(1).optional(),
    port: portSchema.optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    /** Write it as ${PG_PASSWORD}; the loader expands it. */
    password: z.string().optional(),
    ssl: z.boolean().default(false),
    /** Degraded once client connections reach this share of max_connections. */
    connectionsRatio: z.number().gt(0).max(1).default(0.8),
    /** e.g. UTF8; degraded when the server's encoding differs. */
    expectEncoding: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'must be an encoding name, e.g. UTF8' }).optional(),
  })
  .check((payload) => {
    // A connection key that was refused is missing from the value: what follows would only mislead.
    if (payload.issues.some((issue) => ['url', ...DISCRETE_KEYS].includes(String(issue.path?.[0])) || !issue.path?.length)) return;
    const check = payload.value;
    const addIssue = (path: string[], message: string) => payload.issues.push({ code: 'custom', path, message, input: check });
    const discrete = DISCRETE_KEYS.filter((key) => check[key] !== undefined);
    if (check.url !== undefined && discrete.length > 0) {
      addIssue(['url'], `give either url or host, port, database, user and password, not both (found url and ${discrete.join(', ')})`);
    } else if (check.url === undefined && check.host === undefined) {
      addIssue(['url'], 'give url (a connection string) or host, database and user');
    } else if (check.url === undefined) {
      // Left out, pg would fill these from PG* variables or the OS user: a check should say what it tests.
      for (const key of ['database', 'user'] as const) {
        if (check[key] === undefined) addIssue([key], `${key} is required with host`);
      }
    }
  })
  .transform(({ url, host, port, database, user, password, ...rest }) => ({
    ...normalizeBase(rest),
    connection:
      url !== undefined
        ? { url }
        : { host: host ?? '', port: port ?? DEFAULT_PORT, database: database ?? '', user: user ?? '', password },
  }));

export type PostgresCheck = z.output<typeof postgresCheckSchema>;

export const postgresProbe: Probe<PostgresCheck> = {
  kind: 'postgres',
  schema: postgresCheckSchema,
  targets: (check) => ('url' in check.connection ? [check.connection.url, ...urlHost(check.connection.url)] : [check.connection.host]),
  async run(check, stop) {
    const startedAt = Date.now();
    const t0 = performance.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    let client: Client | undefined;
    let connected = false;
    try {
      const { default: pg } = await import('pg'); // loaded only when a postgres check runs
      client = new pg.Client(clientConfig(check));
      // After a failure pg also emits 'error' on the client; the result already says what went wrong.
      client.on('error', () => undefined);
      client.connection.once('connect', () => (connected = true));
      return await untilAborted(inspect(check, client, { startedAt, t0 }), deadline.signal);
    } catch (error) {
      if (deadline.signal.aborted || isPgConnectTimeout(error)) {
        return down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs, connected ? 'no answer' : 'no connection') });
      }
      return down(check, { startedAt, message: describePostgresError(error), details: sqlStateOf(error) });
    } finally {
      if (client) await close(client, deadline.signal);
      deadline.dispose();
    }
  },
};

function clientConfig(check: PostgresCheck): ClientConfig {
  const target = 'url' in check.connection ? { connectionString: check.connection.url } : check.connection;
  return {
    ...target,
    ssl: check.ssl, // a url's sslmode overrides this
    connectionTimeoutMillis: check.timeoutMs,
    statement_timeout: check.timeoutMs,
    application_name: 'statuspost',
  };
}

const STATS_QUERY = `
  SELECT current_setting('max_connections')::int AS max_connections,
         current_setting('superuser_reserved_connections')::int AS reserved_connections,
         (SELECT count(*)::int FROM pg_stat_activity
           WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS connections,
         current_setting('server_encoding') AS encoding,
         current_setting('server_version') AS version,
         pg_is_in_recovery() AS in_recovery,
         pg_backend_pid() AS backend_pid`;

type Stats = {
  max_connections: number;
  reserved_connections: number;
  connections: number;
  encoding: string;
  version: string;
  in_recovery: boolean;
  backend_pid: number;
};

async function inspect(check: PostgresCheck, client: Client, at: { startedAt: number; t0: number }): Promise<CheckResult> {
  await client.connect();
  await client.query('SELECT 1');
  const latencyMs = since(at.t0);
  const stats = (await client.query<Stats>(STATS_QUERY)).rows[0];
  if (!stats) throw new Error('no row');
  const encoding = /^[A-Za-z0-9_]{1,20}$/.test(stats.encoding) ? stats.encoding : 'unknown';
  const details: Record<string, DetailValue> = {
    // Client connections other than the probe's own, which is gone a moment later.
    connections: stats.connections,
    maxConnections: stats.max_connections,
    reservedConnections: stats.reserved_connections,
    encoding,
    version: stats.version,
    role: stats.in_recovery ? 'replica' : 'primary',
    backendPid: stats.backend_pid,
  };

  const problems: string[] = [];
  if (stats.max_connections > 0 && stats.connections / stats.max_connections >= check.connectionsRatio) {
    const percent = Math.floor((stats.connections * 100) / stats.max_connections);
    problems.push(`connections at ${percent}% of max_connections (${stats.connections} of ${stats.max_connections})`);
  }
  if (check.expectEncoding !== undefined && encodingKey(encoding) !== encodingKey(check.expectEncoding)) {
    problems.push(`server encoding ${encoding} (expected ${check.expectEncoding})`);
  }
  const base = { startedAt: at.startedAt, latencyMs, details };
  if (problems.length > 0) return degraded(check, { ...base, message: problems.join('; ') });
  return up(check, {
    ...base,
    message: `SELECT 1 in ${formatLatency(latencyMs)}, ${stats.connections} of ${stats.max_connections} connections`,
  });
}

/** "UTF-8", "utf8" and "UTF8" name the same encoding. */
const encodingKey = (name: string) => name.toUpperCase().replace(/[-_]/g, '');

/** A clean Terminate when the server is there (no "unexpected EOF" in its log); the socket destroyed when not. */
async function close(client: Client, signal: AbortSignal): Promise<void> {
  const destroy = () => client.connection.stream.destroy();
  if (signal.aborted) destroy();
  signal.addEventListener('abort', destroy, { once: true });
  try {
    await client.end();
  } catch {
    // end() on a connection that already failed has nothing more to report
  } finally {
    signal.removeEventListener('abort', destroy);
  }
}

// ---------------------------------------------------------------------------------------------
// Server errors name the user and database in their text, so they are mapped by SQLSTATE only.

const SQLSTATE_PHRASES: Record<string, string> = {
  '28P01': 'authentication failed',
  '28000': 'authentication failed',
  '3D000': 'database does not exist',
  '53300': 'server refuses new connections: too many clients',
  '57P03': 'server is starting up or shutting down',
  '57P01': 'server closed the session: it is shutting down',
  '57P02': 'server closed the session: it is shutting down',
  '57014': 'query cancelled by statement_timeout',
  '53100': 'server is out of disk space',
  '53200': 'server is out of memory',
  '42501': "the probe's user lacks a permission it needs",
};

function describePostgresError(error: unknown): string {
  const code = sqlStateOf(error).sqlState;
  if (typeof code === 'string') return SQLSTATE_PHRASES[code] ?? `server error (SQLSTATE ${code})`;
  const message = error instanceof Error ? error.message : '';
  // pg's own errors carry no code; these fixed texts are its, not the server's.
  if (message === 'Connection terminated unexpectedly') return 'connection closed by the server';
  if (message === 'The server does not support SSL connections') return 'server does not support TLS';
  if (message.includes('client password must be a string')) return 'authentication failed: the server wants a password';
  return describeNetError(error);
}

/** Only the server's errors carry a severity; a socket's EPIPE has a five-letter code too. */
function sqlStateOf(error: unknown): { sqlState?: string } {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? { sqlState: code } : {};
}

function isPgConnectTimeout(error: unknown): boolean {
  return error instanceof Error && /connection timeout/.test(error.message);
}

function urlHost(url: string): string[] {
  try {
    const host = new URL(url).hostname;
    return host ? [host] : [];
  } catch {
    return []; // a key=value connection string has no URL host; the whole string is listed anyway
  }
}
