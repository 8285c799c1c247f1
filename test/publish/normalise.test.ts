import { describe, expect, it } from 'vitest';
import { foldLine } from '../../src/feeds/ics.ts';
import { renderMarkdown } from '../../src/posts/markdown.ts';
import { normaliseText } from '../../src/publish/normalise.ts';

const typographed = (source: string) => renderMarkdown(source).html;

describe('normaliseText', () => {
  it.each([
    { spelling: 'in other letter case', value: 'api-gw.corp.internal', written: 'API-GW.CORP.INTERNAL' },
    { spelling: 'with -- as an en dash (the typographer)', value: 'let--me--in-2024', written: typographed('key let--me--in-2024') },
    { spelling: 'with --- as an em dash (the typographer)', value: 'a---b-2024', written: typographed('key a---b-2024 here') },
    { spelling: 'with ... as an ellipsis (the typographer)', value: 'wait...what-1234', written: typographed('wait...what-1234') },
    { spelling: 'with .. as an ellipsis (the typographer)', value: 'a..b-1234', written: typographed('a..b-1234') },
    { spelling: 'with ?.... shortened (the typographer)', value: 'why?....-1234', written: typographed('why?....-1234') },
    { spelling: 'with curly quotes (the typographer)', value: `say "friend" it's-open`, written: typographed(`say "friend" it's-open`) },
    { spelling: 'with (c), (tm), +- as symbols (the typographer)', value: 'x(c)(TM)+-y', written: typographed('x(c)(TM)+-y') },
    { spelling: 'percent-encoded', value: 'open sesame@42!', written: 'q=open%20sesame%4042%21' },
    { spelling: 'percent-encoded twice', value: 'open sesame@42!', written: 'q=open%2520sesame%254042!' },
    { spelling: 'percent-encoded UTF-8', value: 'naïve–key', written: 'na%C3%AFve%E2%80%93key' },
    { spelling: 'with hexadecimal and decimal entities', value: 'sesame-9876', written: '&#x73;&#101;same&#x2d;9876' },
    { spelling: 'with numeric entities lacking the ;', value: 'sesame', written: '&#115&#x65same' },
    { spelling: 'with named entities', value: `a<b>&"c'd`, written: 'a&lt;b&gt;&amp;&quot;c&apos;d' },
    { spelling: 'with named entities escaped again (RSS)', value: 'a<b>&c', written: 'a&amp;lt;b&amp;gt;&amp;amp;c' },
    { spelling: 'with entities for ASCII punctuation', value: 'p@ss/w0rd', written: 'p&commat;ss&sol;w0rd' },
    { spelling: 'with JSON escapes', value: 'hunter2<pw>/"x"', written: 'hunter2\\u003cpw\\u003e\\/\\"x\\"' },
    { spelling: 'with JSON escapes inside JSON', value: 'a"b', written: 'a\\\\\\"b' },
    { spelling: 'with iCalendar escapes', value: 'a,b;c', written: 'a\\,b\\;c' },
    { spelling: 'with a non-breaking space', value: 'open sesame', written: 'open\u00a0sesame' },
    { spelling: 'with a &nbsp;', value: 'open sesame', written: 'open&nbsp;sesame' },
    { spelling: 'with a line break and indentation', value: 'open sesame', written: 'open\n    sesame' },
    { spelling: 'with a soft hyphen and a zero-width space', value: 'sesame-9876', written: 'ses\u00adame\u200b-9876' },
  ])('finds a value written $spelling', ({ value, written }) => {
    expect(normaliseText(written)).toContain(normaliseText(value));
  });

  it('joins folded iCalendar lines only when asked', () => {
    const folded = foldLine(`DESCRIPTION:${'x'.repeat(60)} a-long-secret-value-1234`);
    expect(folded).toContain('\r\n ');
    expect(normaliseText(folded, { unfoldLines: true })).toContain('a-long-secret-value-1234');
    expect(normaliseText(folded)).not.toContain('a-long-secret-value-1234');
  });

  it('gives a value the typographer would change the same spelling as its typographed copy', () => {
    expect(normaliseText('Let--Me…In “now”\u00a0(TM)')).toBe(normaliseText('let\u2013me...in "now" ™'));
    expect(normaliseText('Let--Me…In “now”\u00a0(TM)')).toBe('let--me...in "now" (tm)');
  });

  it('leaves text without escapes or typography as it was, in lower case', () => {
    expect(normaliseText('All Systems Operational: 99.95% uptime, 100% of 5 checks & more')).toBe('all systems operational: 99.95% uptime, 100% of 5 checks & more');
  });
});
