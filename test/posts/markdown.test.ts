import { describe, expect, it } from 'vitest';
import { renderInline, renderMarkdown } from '../../src/posts/markdown.ts';
import { injectionCorpus } from '../fixtures/injection/corpus.ts';

// A tiny scanner for the HTML markdown-it writes. In safe output every `<` opens a well-formed tag
// and every `&` is one of the four entities markdown-it's escaper produces; anything else is a
// finding, because a browser might read it differently from this scanner.
interface ScannedTag {
  name: string;
  attrs: [name: string, value: string][];
}

const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)\s*\/?>/y;
const ATTR = /\s+([a-z][a-z0-9-]*)(?:="([^"<>]*)")?/gy;
const ENTITY = /&(?:amp|lt|gt|quot);/g;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

const ALLOWED_TAGS = new Set([
  'p', 'a', 'img', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'em', 'strong', 's', 'code', 'pre', 'span',
  'ul', 'ol', 'li', 'blockquote', 'hr', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]);
const ALLOWED_ATTRS = new Set([
  'href', 'src', 'alt', 'title', 'rel', 'class', 'id', 'aria-label', 'aria-hidden', 'start', 'style',
]);

function decode(text: string): string {
  return text.replace(ENTITY, (entity) => ENTITIES[entity]!);
}

function scanHtml(html: string): { tags: ScannedTag[]; visible: string; problems: string[] } {
  const tags: ScannedTag[] = [];
  const problems: string[] = [];
  let visible = '';
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    visible += html.slice(at, lt === -1 ? html.length : lt);
    if (lt === -1) break;
    TAG.lastIndex = lt;
    const match = TAG.exec(html);
    if (!match) {
      problems.push(`stray "<" at ${lt}: ${html.slice(lt, lt + 40)}`);
      at = lt + 1;
      continue;
    }
    const attrs: [string, string][] = [];
    const source = match[3] ?? '';
    ATTR.lastIndex = 0;
    for (let attr = ATTR.exec(source); attr; attr = ATTR.exec(source)) {
      attrs.push([attr[1]!, decode(attr[2] ?? '')]);
    }
    tags.push({ name: match[2]!, attrs });
    at = lt + match[0].length;
  }
  for (const amp of html.matchAll(/&/g)) {
    if (!/^&(?:amp|lt|gt|quot);/.test(html.slice(amp.index))) {
      problems.push(`unexpected entity at ${amp.index}: ${html.slice(amp.index, amp.index + 12)}`);
    }
  }
  return { tags, visible: decode(visible), problems };
}

// The scheme as a browser reads it: controls and spaces dropped, colon before any / ? #.
function schemeOf(url: string): string | null {
  const compact = url.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase();
  const match = /^([^:/?#]*):/.exec(compact);
  return match ? match[1]! : null;
}

function unsafeParts(html: string): string[] {
  const { tags, problems } = scanHtml(html);
  const found = [...problems];
  if (/<script/i.test(html)) found.push('a <script');
  for (const { name, attrs } of tags) {
    if (!ALLOWED_TAGS.has(name)) found.push(`tag <${name}>`);
    for (const [attr, value] of attrs) {
      if (/^on/i.test(attr)) found.push(`event handler ${attr} on <${name}>`);
      if (!ALLOWED_ATTRS.has(attr)) found.push(`attribute ${attr} on <${name}>`);
      if (attr === 'style' && !/^text-align:(left|right|center)$/.test(value)) found.push(`style="${value}"`);
      if (attr === 'href' || attr === 'src') {
        const scheme = schemeOf(value);
        if (/^(javascript|vbscript|data|file):/.test(value.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase())) {
          found.push(`${attr}="${value}"`);
        }
        const allowed = attr === 'src' ? ['http', 'https'] : ['http', 'https', 'mailto'];
        if (attr === 'src' && scheme === null) found.push(`relative src="${value}"`);
        if (scheme !== null && !allowed.includes(scheme)) found.push(`${attr} scheme ${scheme}:`);
      }
    }
  }
  return found;
}

function urlsIn(html: string): string[] {
  return scanHtml(html).tags.flatMap(({ attrs }) =>
    attrs.filter(([name]) => name === 'href' || name === 'src').map(([, value]) => value),
  );
}

describe('renderMarkdown', () => {
  describe('heading ids', () => {
    it.each([
      { name: 'a plain heading', source: '## What happened', ids: ['what-happened'] },
      { name: 'inline markup', source: '## The `maxclients` *limit*', ids: ['the-maxclients-limit'] },
      { name: 'punctuation as separators', source: '## Timeline: 10:00–10:45 UTC (v1.2)', ids: ['timeline-10-00-10-45-utc-v1-2'] },
      { name: 'apostrophes dropped', source: "## What didn't work", ids: ['what-didnt-work'] },
      { name: 'Unicode letters kept', source: '## Überlastung der Datenbank\n\n## 障害の概要', ids: ['überlastung-der-datenbank', '障害の概要'] },
      { name: 'no letters at all', source: '## 🔥 !!', ids: ['section'] },
      { name: 'duplicates numbered', source: '## Impact\n\n## Impact\n\n### impact', ids: ['impact', 'impact-2', 'impact-3'] },
      { name: 'a numbered duplicate never reused', source: '## A\n\n## A\n\n## A 2', ids: ['a', 'a-2', 'a-2-2'] },
      { name: 'setext headings', source: 'Summary\n=======\n\nDetails\n-------', ids: ['summary', 'details'] },
    ])('gives $name a unique id', ({ source, ids }) => {
      const { headings, html } = renderMarkdown(source);
      expect(headings.map((h) => h.id)).toEqual(ids);
      for (const id of ids) expect(scanHtml(html).tags.some((t) => t.attrs.some(([n, v]) => n === 'id' && v === id))).toBe(true);
    });

    it('reports level, visible text and id for each heading', () => {
      expect(renderMarkdown('# Outage\n\ntext\n\n### Root *cause*').headings).toEqual([
        { level: 1, text: 'Outage', id: 'outage' },
        { level: 3, text: 'Root cause', id: 'root-cause' },
      ]);
    });

    it('puts the prefix in front of every id and anchor', () => {
      const { html, headings } = renderMarkdown('## Impact\n\n## Impact', { headingIdPrefix: 'update-3-' });
      expect(headings.map((h) => h.id)).toEqual(['update-3-impact', 'update-3-impact-2']);
      expect(urlsIn(html)).toEqual(['#update-3-impact', '#update-3-impact-2']);
    });

    it('renders a self-link anchor inside each heading', () => {
      expect(renderMarkdown('## What happened').html).toBe(
        '<h2 id="what-happened">What happened ' +
          '<a class="anchor" href="#what-happened" aria-label="Link to this section: What happened">' +
          '<span aria-hidden="true">#</span></a></h2>\n',
      );
    });

    it('starts numbering afresh for every document', () => {
      const source = '## Impact\n\n## Impact';
      expect(renderMarkdown(source).headings).toEqual(renderMarkdown(source).headings);
      expect(renderMarkdown(source).html).toBe(renderMarkdown(source).html);
    });
  });

  describe('links', () => {
    const rel = 'rel="nofollow noopener noreferrer"';
    it.each([
      { name: 'an http link', source: '[status](http://a.example/x)', html: `<a href="http://a.example/x" ${rel}>status</a>` },
      { name: 'an https link', source: '[status](https://a.example/x?y=1&z=2)', html: `<a href="https://a.example/x?y=1&amp;z=2" ${rel}>status</a>` },
      { name: 'an upper-case HTTPS scheme', source: '[s](HTTPS://a.example)', html: `<a href="HTTPS://a.example" ${rel}>s</a>` },
      { name: 'a protocol-relative link', source: '[cdn](//cdn.example/a)', html: `<a href="//cdn.example/a" ${rel}>cdn</a>` },
      { name: 'a mailto link, without rel', source: '[ops](mailto:ops@a.example)', html: '<a href="mailto:ops@a.example">ops</a>' },
      { name: 'a relative link, without rel', source: '[earlier](/incidents/2015-10-02-redis/)', html: '<a href="/incidents/2015-10-02-redis/">earlier</a>' },
      { name: 'a fragment link', source: '[timeline](#timeline)', html: '<a href="#timeline">timeline</a>' },
      { name: 'a bare https URL (linkify)', source: 'see https://a.example/status', html: `see <a href="https://a.example/status" ${rel}>https://a.example/status</a>` },
      { name: 'a bare e-mail address (linkify)', source: 'write to ops@a.example', html: 'write to <a href="mailto:ops@a.example">ops@a.example</a>' },
      { name: 'an autolink', source: '<https://a.example>', html: `<a href="https://a.example" ${rel}>https://a.example</a>` },
      { name: 'an ftp link, refused', source: '[f](ftp://a.example/f)', html: '[f](ftp://a.example/f)' },
      { name: 'a bare ftp URL, not linkified', source: 'ftp://a.example/f', html: 'ftp://a.example/f' },
      { name: 'a bare domain, not linkified', source: 'see redis.conf and a.example', html: 'see redis.conf and a.example' },
      { name: 'an unknown scheme, refused', source: '[x](slack:open)', html: '[x](slack:open)' },
    ])('renders $name', ({ source, html }) => {
      expect(renderMarkdown(source).html).toBe(`<p>${html}</p>\n`);
    });
  });

  describe('images', () => {
    it.each([
      { name: 'an https image', source: '![graph](https://a.example/g.png)', html: '<img src="https://a.example/g.png" alt="graph">' },
      { name: 'an http image', source: '![graph](http://a.example/g.png)', html: '<img src="http://a.example/g.png" alt="graph">' },
      { name: 'a relative image as its alt text', source: '![graph of *errors*](/img/g.png)', html: 'graph of errors' },
      { name: 'a mailto image as its alt text', source: '![me](mailto:a@a.example)', html: 'me' },
      { name: 'a data: image as the source text', source: '![g](data:image/png;base64,AAAA)', html: '![g](data:image/png;base64,AAAA)' },
    ])('renders $name', ({ source, html }) => {
      expect(renderMarkdown(source).html).toBe(`<p>${html}</p>\n`);
    });
  });

  describe('escaping', () => {
    it('escapes raw HTML instead of passing it through', () => {
      expect(renderMarkdown('<b>bold</b> <!-- c -->').html).toBe('<p>&lt;b&gt;bold&lt;/b&gt; &lt;!-- c --&gt;</p>\n');
    });

    it('escapes a quote in a title so it cannot open a new attribute', () => {
      expect(renderMarkdown('[x](https://a.example "a\\" onmouseover=\\"alert(1)")').html).toBe(
        '<p><a href="https://a.example" title="a&quot; onmouseover=&quot;alert(1)" rel="nofollow noopener noreferrer">x</a></p>\n',
      );
    });

    it('escapes a quote in alt text', () => {
      expect(renderMarkdown('![a" onerror="x](https://a.example/i.png)').html).toBe(
        '<p><img src="https://a.example/i.png" alt="a&quot; onerror=&quot;x"></p>\n',
      );
    });
  });

  describe('injection corpus', () => {
    it.each(injectionCorpus)('renders $name as harmless text', ({ source, visible, urls }) => {
      const { html } = renderMarkdown(source);
      expect(unsafeParts(html), html).toEqual([]);
      expect(scanHtml(html).visible).toContain(visible);
      expect(urlsIn(html)).toEqual(urls);
    });

    it('renders the whole corpus as one document without a finding', () => {
      const { html } = renderMarkdown(injectionCorpus.map((c) => c.source).join('\n\n'));
      expect(unsafeParts(html)).toEqual([]);
    });
  });

  describe('text', () => {
    it('strips markup, decodes entities and collapses whitespace', () => {
      const source = [
        '# Redis   outage',
        '',
        'We saw **errors** on [the API](https://a.example) &amp; the *site*.',
        'Second line.',
        '',
        '- one',
        '- ![graph](https://a.example/g.png)',
        '',
        '```',
        'maxclients 10000',
        '```',
      ].join('\n');
      expect(renderMarkdown(source).text).toBe(
        'Redis outage We saw errors on the API & the site. Second line. one graph maxclients 10000',
      );
    });

    it('leaves out the heading self-links', () => {
      expect(renderMarkdown('## Impact\n\nNone.').text).toBe('Impact None.');
    });

    it('keeps what the author wrote as text, so it still needs escaping', () => {
      expect(renderMarkdown('use <host>:<port>').text).toBe('use <host>:<port>');
    });
  });
});

describe('renderInline', () => {
  it('renders one line without a paragraph', () => {
    expect(renderInline('**Fixed** in [v2.3](https://a.example/r)')).toBe(
      '<strong>Fixed</strong> in <a href="https://a.example/r" rel="nofollow noopener noreferrer">v2.3</a>',
    );
  });

  it.each(injectionCorpus)('renders $name as harmless text', ({ source, visible, urls, inlineUrls }) => {
    const html = renderInline(source);
    expect(unsafeParts(html), html).toEqual([]);
    expect(scanHtml(html).visible).toContain(visible);
    expect(urlsIn(html)).toEqual(inlineUrls ?? urls);
  });
});

describe('the test scanner', () => {
  // The corpus only proves something if the scanner would have caught an unsafe page.
  it.each([
    { html: '<p><script>alert(1)</script></p>', finding: 'tag <script>' },
    { html: '<img src=x onerror=alert(1)>', finding: 'stray "<"' },
    { html: '<img src="x" onerror="alert(1)">', finding: 'event handler onerror on <img>' },
    { html: '<a href="javascript:alert(1)">x</a>', finding: 'href="javascript:alert(1)"' },
    { html: '<a href="java\tscript:alert(1)">x</a>', finding: 'href scheme java' },
    { html: '<a href="javascript&#58;alert(1)">x</a>', finding: 'unexpected entity' },
    { html: '<img src="data:image/png;base64,AAAA">', finding: 'src="data:image/png;base64,AAAA"' },
    { html: '<iframe src="https://a.example"></iframe>', finding: 'tag <iframe>' },
  ])('finds $finding in $html', ({ html, finding }) => {
    expect(unsafeParts(html).join('\n')).toContain(finding);
  });
});
