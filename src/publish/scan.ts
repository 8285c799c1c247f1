// The build checks its own output: no file of the published site may contain a probe target, a
// secret or an internal address that is not marked public. A value is looked for as written and as
// the output formats would encode it (JSON, HTML entities, URL encoding), so escaping cannot hide it.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface Leak {
  /** Relative to the scanned folder. */
  file: string;
  /** Which private value was found, by its position in the list (the value itself is never printed). */
  valueIndex: number;
  /** How it was written there: as-is, JSON-escaped, HTML-escaped or URL-encoded. */
  form: 'plain' | 'json' | 'html' | 'url';
  /** Byte offset of the first occurrence. */
  offset: number;
}

/** The forms a value takes in published output. */
export function encodedForms(value: string): Array<{ form: Leak['form']; text: string }> {
  const forms: Array<{ form: Leak['form']; text: string }> = [{ form: 'plain', text: value }];
  const add = (form: Leak['form'], text: string) => {
    if (!forms.some((f) => f.text === text)) forms.push({ form, text });
  };
  add('json', JSON.stringify(value).slice(1, -1));
  add('html', value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  add('url', encodeURIComponent(value));
  return forms;
}

/**
 * Scans every file under `folder`, or only `files` (paths relative to it) when given. `publicValues`
 * (the site's own address, which feeds must print in full) are blanked out first, so a private
 * value inside them (a loopback host serving the demo site, say) is not a leak, while the same host
 * with another port or path still is.
 */
export async function scanForLeaks(folder: string, privateValues: readonly string[], files?: readonly string[], publicValues: readonly string[] = []): Promise<Leak[]> {
  const blanks = publicValues.filter((v) => v.length > 0).map((v) => Buffer.from(v));
  const needles = privateValues.flatMap((value, valueIndex) =>
    encodedForms(value).map(({ form, text }) => ({ valueIndex, form, bytes: Buffer.from(text) })),
  );
  const leaks: Leak[] = [];
  for (const file of files ?? filesUnder(folder)) {
    const content = await readFile(join(folder, file));
    for (const blank of blanks) {
      for (let at = content.indexOf(blank); at !== -1; at = content.indexOf(blank, at + blank.length)) content.fill(0, at, at + blank.length);
    }
    for (const needle of needles) {
      const offset = content.indexOf(needle.bytes);
      if (offset !== -1) leaks.push({ file, valueIndex: needle.valueIndex, form: needle.form, offset });
    }
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
