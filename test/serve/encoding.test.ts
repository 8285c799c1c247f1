import { describe, expect, it } from 'vitest';
import { precompress } from '../../src/publish/precompress.ts';
import { chooseEncoding, type Coding } from '../../src/serve/encoding.ts';
import { get, servedSite } from '../helpers/served-site.ts';

const both: Coding[] = ['br', 'gzip'];

describe('chooseEncoding', () => {
  it.each([
    { header: undefined, expected: undefined }, // no header: identity, as curl and scripts expect
    { header: '', expected: undefined }, // an empty header allows identity only
    { header: 'gzip', expected: 'gzip' },
    { header: 'br', expected: 'br' },
    { header: 'gzip, deflate, br', expected: 'br' }, // equal weights: the server's preference
    { header: 'gzip, deflate, br, zstd', expected: 'br' },
    { header: 'gzip;q=0, br;q=0', expected: undefined }, // issue 15: this got brotli
    { header: 'br;q=0, gzip', expected: 'gzip' },
    { header: 'BR;Q=0, GZip', expected: 'gzip' }, // codings and parameter names are case-insensitive
    { header: 'gzip;q=1.0, br;q=0.5', expected: 'gzip' }, // the client's weights come first
    { header: 'br;q=0.5, gzip;q=0.5', expected: 'br' },
    { header: 'gzip ; q=0.8 , br ; q=0.9', expected: 'br' }, // whitespace around ; and ,
    { header: '*', expected: 'br' },
    { header: '*;q=0', expected: undefined },
    { header: '*, br;q=0', expected: 'gzip' }, // * covers only codings not named
    { header: 'gzip;q=0, *;q=0.1', expected: 'br' },
    { header: 'identity', expected: undefined },
    { header: 'identity;q=0', expected: undefined }, // nothing acceptable: identity is still what we have
    { header: 'deflate', expected: undefined },
    { header: 'x-gzip', expected: 'gzip' },
    { header: 'gzip;q=0.001', expected: 'gzip' },
    { header: 'gzip;q=0.000', expected: undefined },
    { header: 'gzip;q=2', expected: undefined }, // not a qvalue: not acceptable
    { header: 'gzip;q=abc, br;q=0.0001', expected: undefined },
    { header: 'gzip;level=9', expected: 'gzip' }, // other parameters do not change the weight
    { header: ',, gzip,', expected: 'gzip' },
  ])('answers "$header" with $expected', ({ header, expected }) => {
    expect(chooseEncoding(header, both)).toBe(expected);
  });

  it('only offers what the file has', () => {
    expect(chooseEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(chooseEncoding('br', ['gzip'])).toBeUndefined();
    expect(chooseEncoding('br, gzip', [])).toBeUndefined();
  });
});

describe('startStaticServer content negotiation', () => {
  it('sends a page uncompressed to a client that refuses both gzip and brotli', async () => {
    const page = `<p>${'status '.repeat(400)}</p>`;
    const { url } = await servedSite({ 'index.html': page }, {}, (folder) => precompress(folder, ['index.html']));
    for (const header of ['gzip;q=0, br;q=0', 'identity', '*;q=0, identity', 'deflate']) {
      const answer = await get(url, '/', { 'accept-encoding': header });
      expect([header, answer.headers['content-encoding']]).toEqual([header, undefined]);
      expect(answer.raw.toString()).toBe(page);
    }
    for (const [header, coding] of [['gzip;q=0, br', 'br'], ['br;q=0, gzip', 'gzip'], ['gzip, br;q=0.5', 'gzip']]) {
      expect([header, (await get(url, '/', { 'accept-encoding': header! })).headers['content-encoding']]).toEqual([header, coding]);
    }
  });
});
