import { describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../../src/posts/types.ts';
import { FOLD_ABOVE, homeGroups, opensByItself } from '../../src/site/home.ts';
import type { SnapshotComponent } from '../../src/status/snapshot.ts';

const component = (id: string, group: string | null, status: ComponentStatus) => ({ id, name: id, group, status }) as SnapshotComponent;
const group = (id: string) => ({ id, name: id.toUpperCase() }) as never;

describe('homeGroups', () => {
  const snapshot = {
    groups: [group('edge'), group('data'), group('empty')],
    components: [component('lb', 'edge', 'operational'), component('db', 'data', 'partial_outage'), component('cache', 'data', 'under_maintenance'), component('clock', null, 'degraded_performance')],
  };

  it('lists groups in order with their worst status, the ungrouped last, and leaves out empty groups', () => {
    expect(homeGroups(snapshot).map((g) => [g.name, g.components.map((c) => c.id), g.worst])).toEqual([
      ['EDGE', ['lb'], 'operational'],
      ['DATA', ['db', 'cache'], 'partial_outage'],
      [null, ['clock'], 'degraded_performance'],
    ]);
  });

  it.each([
    { worst: 'operational' as const, components: FOLD_ABOVE, open: true },
    { worst: 'operational' as const, components: FOLD_ABOVE + 1, open: false },
    { worst: 'under_maintenance' as const, components: 30, open: true },
    { worst: 'major_outage' as const, components: 30, open: true },
  ])('opens a group whose worst is $worst on a page of $components components: $open', ({ worst, components, open }) => {
    expect(opensByItself({ id: 'g', name: 'G', components: [], worst }, components)).toBe(open);
  });
});
