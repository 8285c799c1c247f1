// The private PostgreSQL the three-location test stops and starts: a stop really takes the server
// away (connections refused), a start brings it back on the same port with every committed row.
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { requirePostgresBin, startPostgresCluster } from './postgres-cluster.ts';

const bin = requirePostgresBin();

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!bin)('a private PostgreSQL cluster', () => {
  it('keeps its data across stop and start on the same port, and refuses connections while stopped', async () => {
    const cluster = await startPostgresCluster(bin);
    onTestFinished(() => cluster.destroy());
    expect(cluster.port).not.toBe(5432);
    await query(cluster.url, 'CREATE TABLE kept (n integer); INSERT INTO kept SELECT generate_series(1, 1000)');
    const [settings] = await query<{ fsync: string }>(cluster.url, 'SHOW fsync');
    expect(settings!.fsync).toBe('off');

    await cluster.stop();
    expect(cluster.running()).toBe(false);
    await expect(query(cluster.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);

    await cluster.start();
    expect(cluster.running()).toBe(true);
    const [count] = await query<{ n: string }>(cluster.url, 'SELECT count(*) AS n FROM kept');
    expect(Number(count!.n)).toBe(1000);

    const { dataDir } = cluster;
    await cluster.destroy();
    const { existsSync } = await import('node:fs');
    expect(existsSync(dataDir)).toBe(false);
    await expect(query(cluster.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  }, 180_000);
});
