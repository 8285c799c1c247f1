// Changing a post's text the way its author would: the front matter is edited as a YAML document
// (the yaml package keeps the author's comments, order and quoting), the body is kept or replaced,
// and nothing is string-templated. Pure text → text; src/posts/write.ts validates and writes.
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { StatuspostError } from '../errors.ts';
import { splitFrontMatter } from './load.ts';

export interface Amendment {
  /** Edits the front matter in place. */
  frontMatter?: (document: Document) => void;
  /** The new body from the old one (Markdown after the closing ---). */
  body?: (body: string) => string;
}

/** The post's text with the amendment applied; throws SP_POST_INVALID for a text with no usable front matter. */
export function amendPost(file: string, text: string, amendment: Amendment): string {
  const split = splitFrontMatter(text);
  if (!split) {
    throw new StatuspostError('SP_POST_INVALID', 'the file does not start with front matter between two --- lines', { at: { file, line: 1, column: 1 }, hint: 'run `statuspost check` and fix the file first' });
  }
  const yaml = split.yaml.slice(1); // the loader pads one line so that YAML lines are file lines
  const document = parseDocument(yaml, { keepSourceTokens: false });
  if (document.errors.length > 0 || !isMap(document.contents)) {
    throw new StatuspostError('SP_POST_INVALID', 'the front matter is not a valid YAML map, so it cannot be changed safely', { at: { file, line: 2, column: 1 }, hint: 'run `statuspost check` and fix the file first' });
  }
  amendment.frontMatter?.(document);
  const front = document.toString({ lineWidth: 0 });
  const body = amendment.body ? amendment.body(split.body) : split.body;
  return `---\n${front}---\n${body}`;
}

/** Appends `item` to the sequence at `key` (creating it): an incident's or a window's updates. */
export function appendTo(document: Document, key: string, item: Record<string, unknown>): void {
  const existing = document.get(key, true);
  if (existing === undefined || existing === null) {
    document.set(key, document.createNode([item]));
    return;
  }
  if (!isSeq(existing)) throw new StatuspostError('SP_POST_INVALID', `${key}: is not a list, so nothing can be added to it`, { hint: `write ${key}: as a list of items, one per "- "` });
  existing.add(document.createNode(item));
}

/** Sets a top-level key, or removes it when `value` is undefined. */
export function setKey(document: Document, key: string, value: unknown): void {
  if (value === undefined) document.delete(key);
  else document.set(key, document.createNode(value));
}
