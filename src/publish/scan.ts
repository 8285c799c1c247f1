// The build checks its own output: no file of the published site may contain a probe target, a
// secret or an internal address that is not marked public, in any spelling a person would recognise.
// Files and values go through the same normalisation (escapes decoded, typography undone, letter case
// folded); the parts of a private URL are looked for alone, and every needle in base64 too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileSearch } from './multi-search.ts';
import { needlesOf, type LeakPart, type Needle } from './needles.ts';
import { normaliseText } from './normalise.ts';

/**
 * Raised whenever the scan learns to find more, so pages a published build passed with the older scan
 * are rendered and scanned again rather than reused (it is part of the build's page fingerprint).
 */
export const SCAN_VERSION = 2;

export interface Leak {
  /** Relative to the scanned folder. */
  file: string;
  /** Which private value was found, by its position in the list (the value itself is never printed). */
  valueIndex: number;
  /** The whole value, or which part of a private URL (its password, a token in its query…). */
  part: LeakPart;
  /**
   * How it was written: as-is, JSON-escaped, HTML-escaped, URL-encoded, in base64, or `respelled`
   * (another letter case, typographic dashes or quotes, entities, mixed escapes). There is no offset:
   * it would point into the normalised text, not the file.
   */
  form: 'plain' | 'json' | 'html' | 'url' | 'base64' | 'respelled';
}

/** The forms a value takes in published output when written by a serialiser. */
export function encodedForms(value: string): Array<{ form: 'plain' | 'json' | 'html' | 'url'; text: string }> {
  const forms: Array<{ form: 'plain' | 'json' | 'html' | 'url'; text: string }> = [{ form: 'plain', text: value }];
  const add = (form: 'json' | 'html' | 'url', text: string) => {
    if (!forms.some((f) => f.text === text)) forms.push({ form, text });
  };
  add('json', JSON.stringify(value).slice(1, -1));
  add('html', value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  // markdown-it's escaping (code spans) leaves `'` as it is.
  add('html', value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  add('url', encodeURIComponent(value));
  return forms;
}

/**
 * A scanner for one set of values, pure: `scan(file, content)` lists the leaks in one file.
 * `publicValues` (the site's own address, which feeds must print in full) are blanked out first, in
 * any spelling, so a private value inside them (a loopback host serving the demo site, say) is not a
 * leak, while the same host with another port or path still is.
 */
export interface LeakScanner {
  scan(file: string, content: string): Leak[];
}

export function leakScanner(privateValues: readonly string[], publicValues: readonly string[] = []): LeakScanner {
  const needles: Needle[] = privateValues.flatMap((value, valueIndex) => needlesOf(value, valueIndex));
  const search = compileSearch(needles.map((needle) => needle.text));
  const blanks = publicValues.map((value) => normaliseText(value)).filter((value) => value.trim().length > 0).sort((a, b) => b.length - a.length);
  const rawBlanks = publicValues.filter((value) => value.length > 0).sort((a, b) => b.length - a.length);
  return {
    scan(file, content) {
      let text = normaliseText(content, { unfoldLines: file.endsWith('.ics') });
      for (const blank of blanks) if (text.includes(blank)) text = text.split(blank).join('\u0000');
      const found = search.find(text);
      if (found.length === 0) return [];
      // Leaks are rare: only then is the file looked at again, to tell the author how it was written.
      let raw = content;
      for (const blank of rawBlanks) if (raw.includes(blank)) raw = raw.split(blank).join('\u0000');
      const leaks = new Map<string, Leak>();
      for (const needle of found.map((index) => needles[index]!)) {
        const leak: Leak = { file, valueIndex: needle.valueIndex, part: needle.part, form: formOf(raw, needle) };
        leaks.set(`${leak.valueIndex} ${leak.part} ${leak.form}`, leak);
      }
      return [...leaks.values()];
    },
  };
}

function formOf(raw: string, needle: Needle): Leak['form'] {
  if (needle.base64) return 'base64';
  return encodedForms(needle.raw).find(({ text }) => raw.includes(text))?.form ?? 'respelled';
}

/** Scans every file under `folder`, or only `files` (paths relative to it) when given. */
export async function scanForLeaks(folder: string, privateValues: readonly string[], files?: readonly string[], publicValues: readonly string[] = []): Promise<Leak[]> {
  const scanner = leakScanner(privateValues, publicValues);
  const leaks: Leak[] = [];
  // Synchronous reads (each a few tens of microseconds; through the thread pool 10,000 of them cost
  // seconds), with a turn for the event loop every 100 files.
  let count = 0;
  for (const file of files ?? filesUnder(folder)) {
    leaks.push(...scanner.scan(file, readFileSync(join(folder, file), 'utf8')));
    if (++count % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return leaks;
}

/** Every file under a folder, as sorted paths relative to it. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}
