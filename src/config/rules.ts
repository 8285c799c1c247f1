// Cross-file rules: each reports, none throws, so every problem is listed in one run.
import { StatuspostError, formatPosition, type SourcePosition } from '../errors.ts';
import type { Check } from '../probes/registry.ts';
import type { ComponentsFile } from './schema.ts';

interface RuleInput {
  components: ComponentsFile;
  checks: readonly Check[];
  /** Where each item was written, index-aligned with the lists above. */
  at: {
    groups: readonly SourcePosition[];
    components: readonly SourcePosition[];
    componentGroups: readonly SourcePosition[];
    checks: readonly SourcePosition[];
    checkComponents: readonly SourcePosition[];
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

const rules: readonly Rule[] = [uniqueIds, componentsInKnownGroups, checksPointAtKnownComponents];

export function checkConfigRules(input: RuleInput): StatuspostError[] {
  const problems: StatuspostError[] = [];
  for (const rule of rules) rule(input, (problem) => problems.push(problem));
  return problems;
}
