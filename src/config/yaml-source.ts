// YAML read with positions, so every problem can name its file, line and column.
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { StatuspostError, type SourcePosition } from '../errors.ts';

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
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
  return { source: { file, doc, lines }, problems };
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
