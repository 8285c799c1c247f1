// The PostgreSQL the tests use (127.0.0.1:5432, trust auth), and a scripted server for errors a
// shared server cannot be made to produce on demand (too many clients, starting up, bad password).
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { serveTcp } from './net.ts';
import { requireService } from './services.ts';

export const testDatabase = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

export const testDatabaseUrl = `postgres://${testDatabase.user}@${testDatabase.host}:${testDatabase.port}/${testDatabase.database}`;

export async function postgresReachable(): Promise<boolean> {
  return requireService('postgres', async () => {
    const client = new pg.Client({ ...testDatabase, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

/** A connected client, ended when the test finishes. */
export async function openTestClient(): Promise<pg.Client> {
  const client = new pg.Client({ ...testDatabase, application_name: 'statuspost-test' });
  onTestFinished(() => client.end());
  await client.connect();
  return client;
}

/**
 * A server that answers any startup message with a FATAL ErrorResponse carrying `code`, as
 * PostgreSQL does before a session exists, then hangs up.
 */
export async function servePostgresError(code: string, message: string): Promise<{ port: number }> {
  const fields = [`SFATAL`, `VFATAL`, `C${code}`, `M${message}`].map((field) => Buffer.from(`${field}\0`));
  const body = Buffer.concat([...fields, Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  const errorResponse = Buffer.concat([header, body]);
  return serveTcp((socket) => socket.once('data', () => socket.end(errorResponse)));
}
