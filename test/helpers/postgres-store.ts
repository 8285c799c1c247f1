// PostgreSQL stores for tests: each in a fresh, uniquely named schema on the test database, every
// store closed and every schema dropped by dropTestStores() (call it from afterEach).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import { testDatabase, testDatabaseUrl } from './postgres.ts';

const stores: Store[] = [];
const schemas = new Set<string>();

export const uniqueSchema = (): string => {
  const schema = `sp_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
};

/** A store on `schema` (default: a new one), closed by dropTestStores(). */
export async function openTestPostgresStore(schema = uniqueSchema(), url = testDatabaseUrl): Promise<Store> {
  const store = await openPostgresStore({ url, schema });
  stores.push(store);
  return store;
}

export async function dropTestStores(): Promise<void> {
  for (const store of stores.splice(0)) await store.close();
  if (schemas.size === 0) return;
  const client = new pg.Client(testDatabase);
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    schemas.clear();
  } finally {
    await client.end();
  }
}
