// openStore(config): the engine's driver is loaded only when it is chosen.
import { isAbsolute, join } from 'node:path';
import type { StoreConfig } from '../config/schema.ts';
import type { Store } from './types.ts';

export async function openStore(config: StoreConfig, root: string): Promise<Store> {
  switch (config.engine) {
    case 'sqlite':
      return (await import('./sqlite.ts')).openSqliteStore({ path: isAbsolute(config.path) ? config.path : join(root, config.path) });
    case 'postgres':
      return (await import('./postgres.ts')).openPostgresStore({ url: config.url, schema: config.schema });
  }
}
