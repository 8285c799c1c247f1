// The stored history a publish reads, kept between the daemon's refreshes: the same rows as the
// store's until the refresh says they changed, and never a failed read.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeptHistory } from '../../src/live/kept-history.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { ComponentDay, Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers/temp.ts';

const DAY = 86_400_000;
const day = (n: number, status: ComponentDay['segments'][number]['status']): ComponentDay => ({ componentId: 'cache', location: 'dc1', day: n, segments: [{ from: n * DAY, to: (n + 1) * DAY, status }], final: true });

describe('KeptHistory', () => {
  it('answers from what it kept until the history changes, then reads the store again', async () => {
    const store = await openSqliteStore({ path: join(await tempDir(), 'h.db') });
    await store.migrate();
    await store.saveComponentDays([day(20_000, 'operational')]);
    const kept = new KeptHistory();
    const query = { location: 'dc1', sinceDay: 19_990, untilDay: 20_001 };
    expect((await kept.componentDays(store, query)).map((d) => d.segments[0]!.status)).toEqual(['operational']);
    await store.saveComponentDays([day(20_001, 'major_outage')]);
    expect(await kept.componentDays(store, query)).toHaveLength(1); // kept: the refresh has not said so yet
    expect(await kept.componentDays(store, { ...query, untilDay: 20_002 })).toHaveLength(2); // another question is read
    kept.changed();
    expect((await kept.componentDays(store, query)).map((d) => d.segments[0]!.status)).toEqual(['operational', 'major_outage']);
    expect(kept.counts).toEqual({ kept: 1, read: 3 });
    await store.close();
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const store = { rollups: async () => (fail ? Promise.reject(new Error('database is down')) : []) } as unknown as Store;
    const kept = new KeptHistory();
    await expect(kept.rollups(store, { location: 'dc1', sinceDay: 1 })).rejects.toThrow('database is down');
    fail = false;
    expect(await kept.rollups(store, { location: 'dc1', sinceDay: 1 })).toEqual([]);
    expect(kept.counts.read).toBe(2);
  });
});
