// The configuration the status-model benchmarks share: components in five groups, two TCP checks
// each on one schedule, the site in UTC (bench:snapshot, bench:publish-gather).
import type { Config } from '../../src/config/load.ts';
import type { Check } from '../../src/probes/registry.ts';
import { tcpProbe } from '../../src/probes/tcp.ts';
import { DAY_MS } from '../../src/store/types.ts';

export function benchFleet({ components: count, everySeconds, location }: { components: number; everySeconds: number; location: string }) {
  const components = Array.from({ length: count }, (_, i) => ({
    id: `component-${i}`,
    name: `Component ${i}`,
    group: `group-${i % 5}`,
    description: '',
    outage: { partialAt: 1, majorAt: 'all' as const },
    essential: i === 0,
  }));
  const checks = components.flatMap((component, i) =>
    [0, 1].map((n) => tcpProbe.schema.parse({ id: `check-${i}-${n}`, component: component.id, kind: 'tcp', host: 'x.example', port: 1, schedule: `${everySeconds}s`, timeout: '5s' }) as Check),
  );
  const config = {
    root: '',
    site: { title: 'Bench', description: '', baseUrl: 'https://status.example.org', timezone: 'UTC', location, retention: 90 * DAY_MS, concurrency: 16, store: { engine: 'sqlite', path: '' }, uptimeWeights: { majorOutage: 1, partialOutage: 0.3, degradedPerformance: 0 } },
    groups: Array.from({ length: 5 }, (_, i) => ({ id: `group-${i}`, name: `Group ${i}`, description: '' })),
    components,
    checks,
    positions: new Map(),
    privateValues: [],
  } as unknown as Config;
  return { components, checks, config };
}
