import { describe, expect, it, vi } from 'vitest';
import { postgresProbe } from '../../src/probes/postgres.ts';
import { blackholePort, freePort, neverAborted, serveTcp } from '../helpers/net.ts';
import { openTestClient, postgresReachable, servePostgresError, testDatabase, testDatabaseUrl } from '../helpers/postgres.ts';

const reachable = await postgresReachable();

const base = { id: 'main-db', component: 'database', kind: 'postgres', timeout: '3s' };
const check = (options: Record<string, unknown> = {}) => postgresProbe.schema.parse({ ...base, ...testDatabase, ...options });
const onPort = (port: number, options: Record<string, unknown> = {}) => check({ port, timeout: '2s', ...options });

async function maxConnections(): Promise<number> {
  const client = await openTestClient();
  return Number((await client.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections);
}

describe('postgres probe', () => {
  it.skipIf(!reachable)('reports up with the query time and the connection counts', async () => {
    const max = await maxConnections();
    const result = await postgresProbe.run(check(), neverAborted());
    expect(result).toMatchObject({ checkId: 'main-db', kind: 'postgres', status: 'up' });
    expect(result.message).toMatch(new RegExp(`^SELECT 1 in (under 1|\\d+) ms, \\d+ of ${max} connections$`));
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.details).toMatchObject({ maxConnections: max, encoding: 'UTF8', role: 'primary' });
    expect(result.details.connections).toBeGreaterThanOrEqual(1); // the test's own client
  });

  it.skipIf(!reachable)('connects with a connection string as well', async () => {
    const result = await postgresProbe.run(
      postgresProbe.schema.parse({ ...base, url: testDatabaseUrl }),
      neverAborted(),
    );
    expect(result.status).toBe('up');
    expect(result.message).toMatch(/^SELECT 1 in (under 1|\d+) ms, \d+ of \d+ connections$/);
  });

  it.skipIf(!reachable)('ends its session before it reports', async () => {
    const observer = await openTestClient();
    const result = await postgresProbe.run(check(), neverAborted());
    const pid = result.details.backendPid;
    expect(pid).toEqual(expect.any(Number));
    await vi.waitFor(async () => {
      const { rows } = await observer.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid]);
      expect(rows[0].n).toBe(0);
    });
  });

  it.skipIf(!reachable)('reports down with "database does not exist" and no names', async () => {
    const result = await postgresProbe.run(check({ database: 'statuspost_no_such_db' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'database does not exist', latencyMs: null });
    expect(result.details).toEqual({ sqlState: '3D000' });
    expect(JSON.stringify(result)).not.toContain('statuspost_no_such_db');
  });

  it.skipIf(!reachable)('reports degraded when the server encoding is not the expected one', async () => {
    const result = await postgresProbe.run(check({ expectEncoding: 'LATIN1' }), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'server encoding UTF8 (expected LATIN1)' });
    const spelledOtherwise = await postgresProbe.run(check({ expectEncoding: 'utf-8' }), neverAborted());
    expect(spelledOtherwise.status).toBe('up');
  });

  it.skipIf(!reachable)('reports degraded when connections pass connectionsRatio of max_connections', async () => {
    const max = await maxConnections(); // also holds one connection open, so at least one is counted
    const result = await postgresProbe.run(check({ connectionsRatio: 0.0001 }), neverAborted());
    expect(result.status).toBe('degraded');
    expect(result.message).toMatch(new RegExp(`^connections at \\d+% of max_connections \\(\\d+ of ${max}\\)$`));
    const { connections } = result.details as { connections: number };
    expect(result.message).toBe(
      `connections at ${Math.floor((connections * 100) / max)}% of max_connections (${connections} of ${max})`,
    );
  });

  it.each([
    { code: '28P01', text: 'password authentication failed for user "alice"', message: 'authentication failed' },
    { code: '28000', text: 'role "alice" does not exist', message: 'authentication failed' },
    { code: '3D000', text: 'database "alice_db" does not exist', message: 'database does not exist' },
    { code: '53300', text: 'sorry, too many clients already', message: 'server refuses new connections: too many clients' },
    { code: '57P03', text: 'the database system is starting up', message: 'server is starting up or shutting down' },
    { code: '08P01', text: 'invalid startup packet layout for alice', message: 'server error (SQLSTATE 08P01)' },
  ])('reports $message for SQLSTATE $code, never the server\'s text', async ({ code, text, message }) => {
    const { port } = await servePostgresError(code, text);
    const result = await postgresProbe.run(onPort(port, { password: 'pw-alice' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message, latencyMs: null, details: { sqlState: code } });
    expect(JSON.stringify(result)).not.toMatch(/alice/);
  });

  it('reports down with "connection refused" and no address when nothing listens', async () => {
    const result = await postgresProbe.run(onPort(await freePort()), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('reports down by its deadline when the handshake never completes', async () => {
    const result = await postgresProbe.run(onPort(await blackholePort(), { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no connection within 300 ms', latencyMs: null });
  });

  it('reports down by its deadline and closes the socket when the server never answers', async () => {
    const { port, sockets } = await serveTcp((socket) => socket.resume()); // reads, so it sees the hang-up
    const result = await postgresProbe.run(onPort(port, { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no answer within 300 ms', latencyMs: null });
    await vi.waitFor(() => expect(sockets.size).toBe(0));
  });

  it('reports down when the server hangs up during the handshake', async () => {
    const { port } = await serveTcp((socket) => socket.once('data', () => socket.end()));
    const result = await postgresProbe.run(onPort(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection closed by the server', latencyMs: null });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = postgresProbe.run(onPort(await blackholePort(), { timeout: '10s' }), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
  });

  it('takes either a url or discrete fields, with defaults', () => {
    const discrete = postgresProbe.schema.parse({ ...base, host: 'db.internal', database: 'chat', user: 'monitor' });
    expect(discrete).toMatchObject({
      connection: { host: 'db.internal', port: 5432, database: 'chat', user: 'monitor' },
      ssl: false,
      connectionsRatio: 0.8,
      timeoutMs: 3_000,
    });
    expect(postgresProbe.targets(discrete)).toEqual(['db.internal']);
    const url = postgresProbe.schema.parse({ ...base, url: 'postgres://monitor:pw@db.internal:6432/chat' });
    expect(url.connection).toEqual({ url: 'postgres://monitor:pw@db.internal:6432/chat' });
    expect(postgresProbe.targets(url)).toEqual(['postgres://monitor:pw@db.internal:6432/chat', 'db.internal']);
  });

  it.each([
    {
      written: { url: testDatabaseUrl, host: 'db.internal', port: 6432 },
      issue: { path: ['url'], message: 'give either url or host, port, database, user and password, not both (found url and host, port)' },
    },
    { written: {}, issue: { path: ['url'], message: 'give url (a connection string) or host, database and user' } },
    { written: { host: 'db.internal', user: 'monitor' }, issue: { path: ['database'], message: 'database is required with host' } },
  ])('rejects $written with a clear message', ({ written, issue }) => {
    const result = postgresProbe.schema.safeParse({ ...base, ...written });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([issue]);
  });
});
