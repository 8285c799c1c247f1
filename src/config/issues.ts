// zod issues → "field: what is wrong" problems, each at the line and column of the offending value.
import type { z } from 'zod/v4';
import { StatuspostError, type ErrorCode } from '../errors.ts';
import { positionOf, type YamlSource } from './yaml-source.ts';

type Issue = z.core.$ZodIssue;

export function issuesToProblems(
  source: YamlSource,
  basePath: readonly PropertyKey[],
  schema: z.ZodType,
  value: unknown,
  error: z.ZodError,
  code: ErrorCode = 'SP_CONFIG_INVALID',
  /** The text as written ("${KIND}") of a value that came from the environment: it is shown, never the value. */
  writtenFromEnv: (path: readonly PropertyKey[]) => string | undefined = () => undefined,
): StatuspostError[] {
  const problems: StatuspostError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, issue.path) ?? [];
      for (const key of issue.keys) {
        const path = [...basePath, ...issue.path];
        const suggestion = closest(key, known);
        problems.push(
          new StatuspostError(code, `${fieldName([...issue.path, key])}: unknown key "${key}"`, {
            at: positionOf(source, path, key),
            hint: suggestion ? `did you mean "${suggestion}"?` : `allowed keys here: ${known.join(', ')}`,
          }),
        );
      }
      continue;
    }
    const path = [...basePath, ...issue.path];
    const found = valueAt(value, issue.path);
    const hint = issue.code === 'custom' && typeof issue.params?.hint === 'string' ? issue.params.hint : undefined;
    const written = writtenFromEnv(path);
    const text = written === undefined ? describe(issue, found) : describePrivate(issue, found, written);
    problems.push(new StatuspostError(code, `${fieldName(issue.path)}: ${text}`, { at: positionOf(source, path), ...(hint ? { hint } : {}) }));
  }
  return problems;
}

export function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/**
 * What is wrong with a value from the environment, without the value: an expanded value is private.
 * A custom issue that quotes its value says how to put it without (params.valueFree); a message that
 * would still hold the value gives way to a plain one.
 */
export function describePrivate(issue: Issue, found: unknown, written: string): string {
  const valueFree = issue.code === 'custom' && typeof issue.params?.valueFree === 'string' ? issue.params.valueFree : describe(issue, found, false);
  const leaks = typeof found === 'string' && found !== '' && valueFree.includes(found);
  return `${leaks ? 'is not valid here' : valueFree} (the value of ${written})`;
}

function describe(issue: Issue, found: unknown, showValue = true): string {
  switch (issue.code) {
    case 'invalid_type':
      if (found === undefined) return 'is required';
      if (isDefaultMessage(issue.message)) return `must be ${article(issue.expected)}, not ${kindOf(found, showValue)}`;
      return issue.message;
    case 'invalid_value':
      if (found === undefined) return `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (!isDefaultMessage(issue.message)) return issue.message;
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)}`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      return `must be at least ${String(issue.minimum)}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'too_big':
      if (!isDefaultMessage(issue.message)) return issue.message;
      if (issue.origin === 'array') return `must list at most ${String(issue.maximum)}`;
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return isDefaultMessage(issue.message) ? `must be a valid ${issue.format}` : issue.message;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return issue.message;
  }
}

// zod's built-in messages start with "Invalid" or "Too"; ours are written for the reader.
function isDefaultMessage(message: string): boolean {
  return /^(Invalid|Too (small|big)|Expected)/.test(message);
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  if (type === 'array') return 'a list';
  if (type === 'object' || type === 'record') return 'a map of keys';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kindOf(value: unknown, showValue = true): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map of keys';
  return showValue ? `${article(typeof value)} (${JSON.stringify(value)})` : article(typeof value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

interface Def {
  type: string;
  in?: z.ZodType;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
}

const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The keys an object schema allows at `path`, looking through pipes, defaults and arrays. */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let current: unknown = schema;
  const unwrap = () => {
    for (let def = defOf(current); def; def = defOf(current)) {
      if (def.type === 'pipe') current = def.in;
      else if (['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type)) current = def.innerType;
      else return def;
    }
    return undefined;
  };
  for (const segment of path) {
    const def = unwrap();
    if (def?.type === 'object') current = def.shape?.[String(segment)];
    else if (def?.type === 'array') current = def.element;
    else return undefined;
  }
  const def = unwrap();
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

// Two swapped neighbours count as one edit ("prot" is one from "port", two from "root"): the
// commonest slip of the fingers should win the did-you-mean.
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, before[j - 2]! + 1);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}
