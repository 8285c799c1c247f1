// YAML read with positions, so every problem can name its file, line and column.
import { isAlias, isCollection, isMap, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import { StatuspostError, type SourcePosition } from '../errors.ts';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The YAML as parsed, for what node ranges point into. */
  text: string;
}

export function parseYaml(file: string, text: string): { source: YamlSource; problems: StatuspostError[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems = doc.errors.map((error) => {
    const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    const firstLine = error.message.split('\n')[0] ?? error.message;
    return new StatuspostError('SP_YAML_SYNTAX', `YAML syntax: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`, {
      at: { file, line: pos.line, column: pos.col },
      hint: 'check indentation and quoting; a value that contains ": " or starts with "*", "&" or "{" needs quotes',
    });
  });
  return { source: { file, doc, lines, text }, problems };
}

export function positionOfNode(source: YamlSource, node: Node | null | undefined): SourcePosition {
  if (!node?.range) return { file: source.file };
  const { line, col } = source.lines.linePos(node.range[0]);
  return { file: source.file, line, column: col };
}

/**
 * The position of the value at `path`; for a missing value, of the nearest parent that exists.
 * With `key`, the position of that key inside the map at `path` (for unknown keys).
 */
export function positionOf(source: YamlSource, path: readonly PropertyKey[], key?: string): SourcePosition {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? source.doc.contents : source.doc.getIn(path.slice(0, depth) as unknown[], true);
    if (!isNode(node)) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isNode(pair.key)) return positionOfNode(source, pair.key);
    }
    return positionOfNode(source, node);
  }
  return { file: source.file, line: 1, column: 1 };
}

/**
 * How many copies aliases may make of what they point at: the yaml package's own default (100).
 * Real posts and probes/ files need few aliases or none; a "billion laughs" document of a few
 * lines would otherwise expand to gigabytes when converted.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. The yaml package throws when aliases expand past MAX_ALIAS_COUNT;
 * that is bad input, so it becomes a problem at the alias that went past the limit, never a throw.
 */
export function toPlain(source: YamlSource): { value: unknown; problems: StatuspostError[] } {
  try {
    return { value: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}, problems: [] };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error; // not about aliases: our bug, keep the stack
    const alias = aliasPastLimit(source.doc);
    return {
      value: undefined,
      problems: [
        new StatuspostError('SP_YAML_SYNTAX', `YAML aliases expand too far: ${alias ? `*${alias.source} here` : 'the aliases here'} would make more than ${MAX_ALIAS_COUNT} copies`, {
          at: alias ? positionOfNode(source, alias) : { file: source.file, line: 1, column: 1 },
          hint: 'write the values out instead of nesting aliases of aliases; statuspost refuses documents that grow like a "billion laughs"',
        }),
      ],
    };
  }
}

/**
 * The alias at which the yaml package's count passes MAX_ALIAS_COUNT, found the way it counts:
 * in document order, each anchor's uses times the copies its own content makes.
 */
function aliasPastLimit(doc: Document): Alias | undefined {
  const latest = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const counts = new Map<Node, { uses: number; copies: number }>();
  const copiesIn = (node: unknown): number => {
    if (isAlias(node)) {
      const data = counts.get(targets.get(node) as Node);
      return data ? data.uses * data.copies : 0;
    }
    if (isCollection(node)) return (node.items as unknown[]).reduce<number>((most, item) => Math.max(most, copiesIn(item)), 0);
    if (isPair(node)) return Math.max(copiesIn(node.key), copiesIn(node.value));
    return 1;
  };
  let found: Alias | undefined;
  visit(doc, (_, node) => {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      if (!target) return undefined;
      targets.set(node, target);
      const data = counts.get(target)!;
      data.uses += 1;
      if (data.copies === 0) data.copies = copiesIn(target);
      if (data.uses * data.copies > MAX_ALIAS_COUNT) {
        found = node;
        return visit.BREAK;
      }
    } else if (isNode(node) && node.anchor) {
      latest.set(node.anchor, node);
      counts.set(node, { uses: 1, copies: 0 });
    }
    return undefined;
  });
  return found;
}
