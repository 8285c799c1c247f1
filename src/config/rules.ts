// Cross-file rules: each reports, none throws, so every problem is listed in one run.
import { StatuspostError, formatPosition, type SourcePosition } from '../errors.ts';
import type { Check } from '../probes/registry.ts';
import type { ComponentsFile } from './schema.ts';

interface RuleInput {
  /** `locationWritten`: site.yaml names `location` itself (the default 'local' is no one's typo). */
  site?: { location: string; locations: readonly string[] | undefined; locationWritten: boolean };
  components: ComponentsFile;
  checks: readonly Check[];
  /** Where each item was written, index-aligned with the lists above. */
  at: {
    groups: readonly SourcePosition[];
    components: readonly SourcePosition[];
    componentGroups: readonly SourcePosition[];
    checks: readonly SourcePosition[];
    checkComponents: readonly SourcePosition[];
    checkQuorums?: readonly SourcePosition[];
    componentQuorums?: readonly SourcePosition[];
    siteLocation?: SourcePosition | undefined;
    siteLocations?: SourcePosition | undefined;
  };
}

type Rule = (input: RuleInput, report: (problem: StatuspostError) => void) => void;

const invalid = (message: string, at: SourcePosition | undefined, hint: string) =>
  new StatuspostError('SP_CONFIG_INVALID', message, { ...(at ? { at } : {}), hint });

function reportDuplicates(
  kind: 'group' | 'component' | 'check',
  ids: readonly string[],
  atOf: (index: number) => SourcePosition | undefined,
  report: (problem: StatuspostError) => void,
) {
  const first = new Map<string, number>();
  ids.forEach((id, index) => {
    const earlier = first.get(id);
    if (earlier === undefined) {
      first.set(id, index);
      return;
    }
    report(invalid(`${kind} id "${id}" is used twice`, atOf(index), `ids must be unique; the first "${id}" is at ${formatPosition(atOf(earlier))}`));
  });
}

const uniqueIds: Rule = ({ components, checks, at }, report) => {
  reportDuplicates('group', components.groups.map((g) => g.id), (i) => at.groups[i], report);
  reportDuplicates('component', components.components.map((c) => c.id), (i) => at.components[i], report);
  reportDuplicates('check', checks.map((c) => c.id), (i) => at.checks[i], report);
};

const componentsInKnownGroups: Rule = ({ components, at }, report) => {
  const known = new Set(components.groups.map((g) => g.id));
  for (const [i, component] of components.components.entries()) {
    if (component.group === undefined || known.has(component.group)) continue;
    report(
      invalid(
        `component "${component.id}" is in unknown group "${component.group}"`,
        at.componentGroups[i],
        known.size > 0 ? `known groups: ${[...known].join(', ')}` : 'declare it under `groups:` in probes/components.yaml',
      ),
    );
  }
};

const checksPointAtKnownComponents: Rule = ({ components, checks, at }, report) => {
  const known = new Set(components.components.map((c) => c.id));
  for (const [i, check] of checks.entries()) {
    if (known.has(check.component)) continue;
    report(
      invalid(
        `check "${check.id}" belongs to unknown component "${check.component}"`,
        at.checkComponents[i],
        `known components: ${[...known].join(', ')}`,
      ),
    );
  }
};

/**
 * Quorum (src/locations/quorum.ts) needs locations to vote: a rule with fewer than two in
 * site.locations would silently do nothing, and a `min` above their number could never be met (the
 * status would hold for ever). Both are mistakes worth stopping on. The own location, when written,
 * must be one of them: a publisher voting over locations it does not probe from is allowed (it is
 * named with --location), but a typo in either list is more likely.
 */
const quorumMatchesLocations: Rule = ({ site, components, checks, at }, report) => {
  if (!site) return;
  const locations = site.locations ?? [];
  const unique = new Set(locations);
  if (unique.size < locations.length) {
    const twice = locations.find((name, i) => locations.indexOf(name) !== i)!;
    report(invalid(`site.locations lists "${twice}" twice`, at.siteLocations, 'list each location once'));
  }
  if (locations.length > 0 && site.locationWritten && !unique.has(site.location)) {
    report(
      invalid(
        `site.location "${site.location}" is not one of site.locations (${locations.join(', ')})`,
        at.siteLocation,
        'add it to site.locations, or correct the spelling of one of them',
      ),
    );
  }
  const written = [
    ...components.components.map((component, i) => ({ what: `component "${component.id}"`, quorum: component.quorum, at: at.componentQuorums?.[i] })),
    ...checks.map((check, i) => ({ what: `check "${check.id}"`, quorum: check.quorum, at: at.checkQuorums?.[i] })),
  ];
  for (const { what, quorum, at: position } of written) {
    if (quorum === undefined) continue;
    if (unique.size < 2) {
      report(
        invalid(
          `${what} sets quorum, but site.locations lists ${unique.size === 0 ? 'no locations' : 'only one location'}`,
          position,
          'list the probing locations under `locations:` in probes/site.yaml (two or more), or remove quorum:',
        ),
      );
    } else if (quorum !== 'majority' && quorum.min > unique.size) {
      report(
        invalid(
          `${what} needs ${quorum.min} locations to agree, but site.locations lists ${unique.size}`,
          position,
          `use a min of at most ${unique.size}, or quorum: majority`,
        ),
      );
    }
  }
};

const rules: readonly Rule[] = [uniqueIds, componentsInKnownGroups, checksPointAtKnownComponents, quorumMatchesLocations];

export function checkConfigRules(input: RuleInput): StatuspostError[] {
  const problems: StatuspostError[] = [];
  for (const rule of rules) rule(input, (problem) => problems.push(problem));
  return problems;
}
