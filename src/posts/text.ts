// Text a post publishes must be text every page and feed can carry. XML 1.0 forbids C0 controls
// but tab, line feed and carriage return, so one "\0" or "\x1b" in a title made the whole rss.xml
// ill-formed; DEL and the C1 controls show as nothing or garble a terminal, and a lone surrogate or
// U+FFFE/U+FFFF is no character at all. They are refused where they are written, with the position.
import { isPair, isScalar, isSeq, Scalar, visit, type Node } from 'yaml';
import type { YamlSource } from '../config/yaml-source.ts';
import { StatuspostError, type SourcePosition } from '../errors.ts';

/** Tab and line feed pass; a carriage return only as part of a CRLF line end (see rawControlCharacter). */
const FORBIDDEN = '[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const FORBIDDEN_ANYWHERE = new RegExp(FORBIDDEN);
/** A quick first look without lookarounds: most texts hold none of these at all (a CR of CRLF, an emoji's surrogates do). */
const SUSPECT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
const FORBIDDEN_IN_FILE = new RegExp(`(?!\\r\\n)${FORBIDDEN}`, 'g');

const NAMES: Record<number, string> = { 0x00: 'NUL', 0x07: 'BEL', 0x08: 'backspace', 0x0b: 'vertical tab', 0x0c: 'form feed', 0x0d: 'carriage return', 0x1b: 'escape', 0x7f: 'DEL' };

/** "U+001B (escape)": how a message names the character. */
export function describeCharacter(codeUnit: number): string {
  const hex = `U+${codeUnit.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[codeUnit] ?? (codeUnit >= 0xd800 && codeUnit <= 0xdfff ? 'half of a surrogate pair' : undefined);
  return name ? `${hex} (${name})` : hex;
}

const MESSAGE = 'which pages and feeds cannot carry';

/** The first forbidden character written as such in the file (front matter or Markdown), with its position. */
export function rawControlCharacter(file: string, text: string, code: 'SP_POST_INVALID'): StatuspostError | undefined {
  if (!SUSPECT.test(text)) return undefined;
  const all = text.matchAll(FORBIDDEN_IN_FILE);
  const found = all.next().value;
  if (!found) return undefined;
  let more = 0;
  for (const _ of all) more++;
  const before = text.slice(0, found.index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return new StatuspostError(code, `control character ${describeCharacter(found[0].charCodeAt(0))}, ${MESSAGE}${more > 0 ? ` (and ${more} more in the file)` : ''}`, {
    at: { file, line: before.split('\n').length, column: found.index - lineStart + 1 },
    hint: 'remove it; save the file with plain line ends (LF or CRLF)',
  });
}

/**
 * Every string value (and key) of the front matter holding a forbidden character, which can only
 * come from a YAML escape ("\0", "\x1b", "\u0085") once the raw file has passed: at the escape.
 */
export function escapedControlCharacters(source: YamlSource, code: 'SP_POST_INVALID'): StatuspostError[] {
  const problems: StatuspostError[] = [];
  if (!source.text.includes('\\')) return problems; // no escape written, so none wrote a control character
  visit(source.doc, {
    Scalar(key, node, path) {
      if (typeof node.value !== 'string') return;
      const problem = controlCharacterProblem(node.value);
      if (!problem) return;
      const field = fieldOf(path, node, key);
      problems.push(
        new StatuspostError(code, `${field}: ${problem}`, {
          at: escapePosition(source, node) ?? positionIn(source, node.range?.[0]),
          hint: 'remove it; in double quotes, escapes such as "\\0", "\\e" or "\\x1b" write one',
        }),
      );
    },
  });
  return problems;
}

/** "updates.1.body": the path to a scalar, from the ancestors visit() passes. */
function fieldOf(path: readonly unknown[], node: Node, key: number | 'key' | 'value' | null): string {
  const parts: string[] = [];
  const chain = [...path, node];
  chain.forEach((ancestor, i) => {
    const child = chain[i + 1];
    if (isPair(ancestor) && isScalar(ancestor.key) && child !== ancestor.key) parts.push(String(ancestor.key.value));
    if (isSeq(ancestor) && child !== undefined) parts.push(String(ancestor.items.indexOf(child as never)));
  });
  const name = parts.join('.') || '(top level)';
  return key === 'key' ? `${name} (a key)` : name;
}

/** In a double-quoted scalar, the escape that writes a forbidden character (a valid surrogate pair excepted). */
function escapePosition(source: YamlSource, node: Scalar): SourcePosition | undefined {
  if (node.type !== Scalar.QUOTE_DOUBLE || !node.range) return undefined;
  const text = source.text.slice(node.range[0], node.range[1]);
  const escapes = [...text.matchAll(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/gs)];
  for (const [i, match] of escapes.entries()) {
    const hex = match[1] ?? match[2] ?? match[3];
    const single = match[4];
    const value = hex !== undefined ? Number.parseInt(hex, 16) : single !== undefined ? SINGLE_ESCAPES[single] : undefined;
    if (value === undefined || value > 0xffff) continue;
    if (value >= 0xd800 && value <= 0xdbff) {
      const next = escapes[i + 1];
      const low = next?.[2] !== undefined && next.index === match.index! + match[0].length ? Number.parseInt(next[2], 16) : undefined;
      if (low !== undefined && low >= 0xdc00 && low <= 0xdfff) continue;
    }
    if (value >= 0xdc00 && value <= 0xdfff) {
      const previous = escapes[i - 1];
      const high = previous?.[2] !== undefined && previous.index! + previous[0].length === match.index ? Number.parseInt(previous[2], 16) : undefined;
      if (high !== undefined && high >= 0xd800 && high <= 0xdbff) continue;
    }
    if (FORBIDDEN_ANYWHERE.test(String.fromCharCode(value))) return positionIn(source, node.range[0] + match.index!);
  }
  return undefined;
}

/** YAML's one-letter escapes and the code units they write. */
const SINGLE_ESCAPES: Record<string, number> = { '0': 0x00, a: 0x07, b: 0x08, v: 0x0b, f: 0x0c, r: 0x0d, e: 0x1b, N: 0x85 };

function positionIn(source: YamlSource, offset: number | undefined): SourcePosition {
  if (offset === undefined) return { file: source.file };
  const { line, col } = source.lines.linePos(offset);
  return { file: source.file, line, column: col };
}

/** Why `text` cannot be published ("contains the control character U+001B (escape), …"), or undefined. */
export function controlCharacterProblem(text: string): string | undefined {
  const found = SUSPECT.test(text) ? FORBIDDEN_ANYWHERE.exec(text) : null;
  return found ? `contains the control character ${describeCharacter(found[0].charCodeAt(0))}, ${MESSAGE}` : undefined;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Characters as a reader counts them: an emoji or a letter with its accents is one. */
export function graphemeCount(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}
