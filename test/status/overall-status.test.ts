// The page's indicator and its words always come as a pair, whatever the components and the open
// incidents: checked over every combination of up to three components, essential or not, and every
// open-incident impact, against Statuspage's own pairing (its documented colours: green none, blue
// maintenance, yellow minor, orange major, red critical).
import { describe, expect, it } from 'vitest';
import { INDICATOR_RANK, OVERALL_LEVELS, overallStatus, type Indicator } from '../../src/status/component-status.ts';
import type { ComponentStatus, Impact } from '../../src/posts/types.ts';

/** Written out here, not read from the code: what each description means on a Statuspage page. */
const STATUSPAGE_PAIRS: Record<string, Indicator> = {
  'All Systems Operational': 'none',
  'Service Under Maintenance': 'maintenance',
  'Partially Degraded Service': 'minor',
  'Degraded System Service': 'minor',
  'Minor Service Outage': 'minor',
  'Partial System Outage': 'major',
  'Major Service Outage': 'major',
  'Major System Outage': 'critical',
};

const STATUSES: ComponentStatus[] = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
const IMPACTS: Impact[] = ['none', 'minor', 'major', 'critical'];
const WORSE: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

type Component = { status: ComponentStatus; essential: boolean };

/** Every list of 0 to 3 components, each of any status, the first one essential or not. */
function everyPage(): Component[][] {
  const pages: Component[][] = [[]];
  for (let n = 1; n <= 3; n++) {
    const combos = (k: number): ComponentStatus[][] => (k === 0 ? [[]] : combos(k - 1).flatMap((rest) => STATUSES.map((s) => [s, ...rest])));
    for (const statuses of combos(n)) {
      for (const essential of [false, true]) pages.push(statuses.map((status, i) => ({ status, essential: essential && i === 0 })));
    }
  }
  return pages;
}

const impactSets: Impact[][] = [[], ...IMPACTS.map((i) => [i]), ['minor', 'critical'], ['major', 'none']];
const label = (page: Component[], impacts: Impact[]) => `${page.map((c) => `${c.status}${c.essential ? '*' : ''}`).join(',') || 'no components'} + [${impacts.join(',')}]`;

describe('overall status: indicator and words from one table', () => {
  it('pairs every description with exactly the indicator Statuspage gives it, for every combination', () => {
    const mismatches: string[] = [];
    for (const page of everyPage()) {
      for (const impacts of impactSets) {
        const { indicator, description } = overallStatus(page, impacts);
        if (STATUSPAGE_PAIRS[description] !== indicator) mismatches.push(`${label(page, impacts)} → ${indicator} "${description}"`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('never shows an indicator below an open incident\'s impact', () => {
    const rankOfImpact: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };
    for (const page of everyPage()) {
      for (const impacts of impactSets) {
        const { indicator } = overallStatus(page, impacts);
        for (const impact of impacts) expect(INDICATOR_RANK[indicator], label(page, impacts)).toBeGreaterThanOrEqual(rankOfImpact[impact]);
      }
    }
  });

  it('never lowers the indicator when a component gets worse', () => {
    for (const page of everyPage()) {
      for (const [i, component] of page.entries()) {
        for (const worse of STATUSES.filter((s) => WORSE[s] > WORSE[component.status] && s !== 'under_maintenance')) {
          const after = page.map((c, j) => (j === i ? { ...c, status: worse } : c));
          expect(INDICATOR_RANK[overallStatus(after).indicator], `${label(page, [])} → ${label(after, [])}`).toBeGreaterThanOrEqual(INDICATOR_RANK[overallStatus(page).indicator]);
        }
      }
    }
  });

  it('uses each of its levels, and each pair is one Statuspage makes', () => {
    for (const { indicator, description } of Object.values(OVERALL_LEVELS)) expect(STATUSPAGE_PAIRS[description]).toBe(indicator);
    const seen = new Set<string>();
    for (const page of everyPage()) for (const impacts of impactSets) seen.add(overallStatus(page, impacts).description);
    expect([...seen].sort()).toEqual(Object.keys(STATUSPAGE_PAIRS).sort());
  });

  const c = (status: ComponentStatus, essential = false) => ({ status, essential });
  it.each([
    // The issue's case: an open major incident while the components look fine says "major" in words too.
    { components: [c('operational'), c('operational')], impacts: ['major'], indicator: 'major', description: 'Major Service Outage' },
    { components: [c('operational'), c('operational')], impacts: ['minor'], indicator: 'minor', description: 'Minor Service Outage' },
    { components: [c('operational'), c('operational')], impacts: ['critical'], indicator: 'critical', description: 'Major System Outage' },
    { components: [c('operational'), c('operational')], impacts: ['none'], indicator: 'none', description: 'All Systems Operational' },
    // At the same indicator the components' own words stand.
    { components: [c('major_outage'), c('operational')], impacts: ['major'], indicator: 'major', description: 'Partial System Outage' },
    { components: [c('degraded_performance'), c('operational')], impacts: ['minor'], indicator: 'minor', description: 'Partially Degraded Service' },
    { components: [c('under_maintenance'), c('operational')], impacts: ['minor'], indicator: 'minor', description: 'Minor Service Outage' },
    // One component speaks for the page, in Statuspage's words and colour (orange: major).
    { components: [c('partial_outage')], impacts: [], indicator: 'major', description: 'Partial System Outage' },
    { components: [c('major_outage')], impacts: [], indicator: 'critical', description: 'Major System Outage' },
    { components: [c('degraded_performance')], impacts: [], indicator: 'minor', description: 'Partially Degraded Service' },
    { components: [], impacts: [], indicator: 'none', description: 'All Systems Operational' },
    { components: [], impacts: ['major'], indicator: 'major', description: 'Major Service Outage' },
  ] as const)('$components.length components, incidents $impacts → $indicator, "$description"', ({ components, impacts, indicator, description }) => {
    expect(overallStatus(components, impacts)).toEqual({ indicator, description });
  });
});
