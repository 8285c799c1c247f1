// Issue 15 §5: the leak scan must find what a person would recognise as the secret, however the
// output spells it. Each row is one spelling that a hostile test published with exit 0. Pages that
// come from Markdown are rendered by the site's own renderer, so the typographer's output is real.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldLine } from '../../src/feeds/ics.ts';
import { renderMarkdown } from '../../src/posts/markdown.ts';
import { scanForLeaks } from '../../src/publish/scan.ts';
import { tempDir } from '../helpers/temp.ts';

const md = (source: string) => `<!doctype html><main>${renderMarkdown(source).html}</main>`;
const base64 = (text: string) => Buffer.from(text).toString('base64');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

async function scanOne(file: string, content: string, privateValues: readonly string[], publicValues: readonly string[] = []) {
  const root = await tempDir();
  await mkdir(join(root, file, '..'), { recursive: true });
  await writeFile(join(root, file), content);
  return scanForLeaks(root, privateValues, undefined, publicValues);
}

interface Row {
  spelling: string;
  value: string;
  content: string;
  file?: string;
  part: string;
  form: string;
}

const rows: Row[] = [
  { spelling: 'a target host in other letter case', value: 'api-gw.corp.internal', content: '<p>Calls to API-GW.CORP.INTERNAL timed out.</p>', part: 'value', form: 'respelled' },
  { spelling: '-- turned into an en dash by the typographer', value: 'let--me--in-2024', content: md('The old key was let--me--in-2024.'), part: 'value', form: 'respelled' },
  { spelling: '--- turned into an em dash by the typographer', value: 'a---b-2024', content: md('It was a---b-2024.'), part: 'value', form: 'respelled' },
  { spelling: '... turned into an ellipsis by the typographer', value: 'wait...what-1234', content: md('Key: wait...what-1234'), part: 'value', form: 'respelled' },
  { spelling: 'quotes turned into curly quotes by the typographer', value: `say "friend" & it's-open`, content: md(`It was say "friend" & it's-open all along.`), part: 'value', form: 'respelled' },
  { spelling: 'percent-encoded inside a link URL', value: 'open sesame@42!', content: md('[runbook](https://wiki.example.org/search?q=open%20sesame@42!)'), part: 'value', form: 'respelled' },
  { spelling: 'form-encoded in a query string (space as +)', value: 'open sesame@42!', content: '<a href="/s?q=open+sesame%4042%21">s</a>', part: 'value', form: 'respelled' },
  { spelling: 'base64', value: 's3cret-k3y-123', content: `<code>${base64('s3cret-k3y-123')}</code>`, part: 'value', form: 'base64' },
  { spelling: 'base64 from the second byte of a longer encoding', value: 's3cret-k3y-123', content: `Authorization: Basic ${base64(':s3cret-k3y-123')}`, part: 'value', form: 'base64' },
  { spelling: 'base64 from the third byte of a longer encoding, url-safe, in JSON', value: 's3cret-k3y-123?>', content: JSON.stringify({ t: base64url(`ab${'s3cret-k3y-123?>'}`) }), part: 'value', form: 'base64' },
  { spelling: 'the password of a private postgres URL, bare', value: 'postgres://chat:Tr0ub4dor&3x@db.corp.internal:5432/chat', content: md('The password Tr0ub4dor&3x was rotated.'), part: 'password', form: 'html' },
  { spelling: 'the ?token= value of a private URL, bare', value: 'https://hooks.corp.internal/notify?token=9f8e7d6c5b4a', file: 'api/v2/incidents.json', content: JSON.stringify({ body: 'token 9f8e7d6c5b4a' }), part: 'query value', form: 'plain' },
  { spelling: 'the host of a private URL, in other letter case', value: 'postgres://chat:Tr0ub4dor&3x@db.corp.internal:5432/chat', content: '<p>DB.Corp.Internal</p>', part: 'host', form: 'respelled' },
  { spelling: 'in a code span, escaped by markdown-it and not by the typographer', value: `pass&word's-99`, content: md("Do not use `pass&word's-99` again."), part: 'value', form: 'html' },
  { spelling: 'entity-encoded, hexadecimal and decimal', value: 'sesame-9876', content: '<p>&#x73;&#101;same&#x2d;9876</p>', part: 'value', form: 'respelled' },
  { spelling: 'named entities, double-escaped as in RSS', value: 'a<b>&c-7788', file: 'rss.xml', content: '<description>a&amp;lt;b&amp;gt;&amp;amp;c-7788</description>', part: 'value', form: 'respelled' },
  { spelling: 'JSON \\u escapes', value: 'hunter2<pw>', file: 'api/v2/summary.json', content: '{"n":"hunter2\\u003cpw\\u003e"}', part: 'value', form: 'respelled' },
  { spelling: 'with a non-breaking space', value: 'open sesame@42!', content: '<p>open&nbsp;sesame@42!</p>', part: 'value', form: 'respelled' },
  { spelling: 'broken across lines', value: 'open sesame@42!', content: '<p>open\n  sesame@42!</p>', part: 'value', form: 'respelled' },
  { spelling: 'with a soft hyphen inside', value: 'sesame-9876', content: '<p>ses&shy;ame-9876</p>', part: 'value', form: 'respelled' },
  { spelling: 'folded across iCalendar content lines', value: 'a-long-secret-value-1234', file: 'maintenance.ics', content: `BEGIN:VEVENT\r\n${foldLine(`DESCRIPTION:${'x'.repeat(56)} a-long-secret-value-1234`)}\r\nEND:VEVENT\r\n`, part: 'value', form: 'respelled' },
];

describe('scanForLeaks, a private value as a person would recognise it', () => {
  it.each(rows)('finds it $spelling', async ({ value, content, file = 'incidents/x/index.html', part, form }) => {
    const leaks = await scanOne(file, content, ['zzzz-unrelated-value', value]);
    expect(leaks.map((leak) => leak.valueIndex)).toContain(1);
    expect(leaks).toContainEqual({ file, valueIndex: 1, part, form });
    expect(JSON.stringify(leaks)).not.toContain(value);
  });

  it('finds nothing in the same pages when the values are not in them', async () => {
    for (const { content, file = 'incidents/x/index.html' } of rows) {
      expect(await scanOne(file, content, ['zzzz-unrelated-value', 'another-private-9999'])).toEqual([]);
    }
  });
});

describe('scanForLeaks, ordinary words that only look like parts of private values', () => {
  it.each([
    { what: 'a default user name (PostgreSQL in prose)', value: 'postgres://postgres@127.0.0.1:5432/test', content: md('PostgreSQL and the postgres user were fine.') },
    { what: 'a service user name that is a common word', value: 'postgres://chat:Tr0ub4dor&3x@db.corp.internal/chat', content: md('Chat was down for chat users.') },
    { what: 'a query value that is vocabulary', value: 'https://api.corp.internal/health?format=json&verbose=true', content: '{"format":"json","verbose":true}' },
    { what: 'a path segment that is vocabulary', value: 'https://api.corp.internal/api/v2/scheduled-maintenances/health', content: '<a href="/api/v2/scheduled-maintenances.json">health</a>' },
    { what: 'a value shorter than the floor, as a part', value: 'redis://:pw@cache.corp.internal:6379/0?db=on', content: '<p>pw on 6379</p>' },
    { what: 'localhost as the host of a private URL', value: 'http://localhost:18081/health', content: '<p>localhost</p>' },
  ])('does not report $what', async ({ value, content }) => {
    expect(await scanOne('index.html', content, [value])).toEqual([]);
  });

  it('blanks the site’s own address in any spelling, and still finds the private host elsewhere', async () => {
    const publicValues = ['http://127.0.0.1:4321', '127.0.0.1:4321'];
    const clean = JSON.stringify({ page: { url: 'HTTP://127.0.0.1:4321/history/' } }).replace(/\//g, '\\/');
    expect(await scanOne('api/v2/summary.json', clean, ['127.0.0.1'], publicValues)).toEqual([]);
    const leaked = '<a href="http://127.0.0.1:4321/">site</a> <a href="https%3A%2F%2F127.0.0.1%3A18443%2Fhealth">x</a>';
    expect(await scanOne('index.html', leaked, ['127.0.0.1'], publicValues)).toEqual([{ file: 'index.html', valueIndex: 0, part: 'value', form: 'plain' }]);
  });
});
