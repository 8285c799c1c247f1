import { describe, expect, it } from 'vitest';
import { base64Cores, looksLikeCredential, needlesOf, partsOf } from '../../src/publish/needles.ts';

const partsOfKind = (value: string, part: string) => partsOf(value).filter((p) => p.part === part).map((p) => p.raw);

describe('partsOf', () => {
  it('takes the host and the password of a private postgres URL, decoded', () => {
    const value = 'postgres://chat:Tr0ub4dor%263x@DB.corp.internal:5432/chat?sslmode=require';
    expect(partsOfKind(value, 'value')).toEqual([value]);
    expect(partsOfKind(value, 'host')).toEqual(['DB.corp.internal']);
    expect(partsOfKind(value, 'password')).toEqual(['Tr0ub4dor&3x']);
    expect(partsOfKind(value, 'user')).toEqual([]); // `chat` is a word posts use
    expect(partsOfKind(value, 'query value')).toEqual([]); // `require` is vocabulary
  });

  it('takes a query value under a credential key whatever it looks like, and others only when they look like credentials', () => {
    const value = 'https://hooks.corp.internal/notify?token=letmein&format=json&id=c0ffee42beef&API_KEY=abcd#access_token=frag-9f8e7d6c';
    expect(partsOfKind(value, 'query value')).toEqual(['letmein', 'c0ffee42beef', 'abcd', 'frag-9f8e7d6c']);
  });

  it('takes a user that looks like a token, and path segments that look like tokens', () => {
    const value = 'https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@git.corp.internal/hooks/T0123ABCD/health/v2';
    expect(partsOfKind(value, 'user')).toEqual(['ghp_16C7e42F292c6912E7710c838347Ae178B4a']);
    expect(partsOfKind(value, 'path segment')).toEqual(['T0123ABCD']);
  });

  it('skips localhost, and adds the Unicode spelling of an internationalised host', () => {
    expect(partsOfKind('http://localhost:18081/health', 'host')).toEqual([]);
    expect(partsOfKind('https://bücher.corp.internal/', 'host')).toEqual(['xn--bcher-kva.corp.internal', 'bücher.corp.internal']);
    expect(partsOfKind('tcp://[fd00::1234]:53', 'host')).toEqual(['fd00::1234']);
  });

  it('takes the token of a header value such as `Bearer <token>`', () => {
    expect(partsOfKind('Bearer 9f8e7d6c5b4a3210', 'word')).toEqual(['9f8e7d6c5b4a3210']);
    expect(partsOfKind('open sesame', 'word')).toEqual([]);
  });

  it('takes nothing more from a value that is not a URL, or not a valid one', () => {
    expect(partsOf('10.20.30.40')).toEqual([{ part: 'value', raw: '10.20.30.40' }]);
    expect(partsOf('http://exa mple/')).toEqual([{ part: 'value', raw: 'http://exa mple/' }]);
  });
});

describe('looksLikeCredential', () => {
  it.each([
    ['c0ffee42beef', true],
    ['AKIAIOSFODNN7EXAMPLE', true],
    ['postgres', false],
    ['scheduled-maintenances', false],
    ['20240101', false],
    ['ab12', false],
  ])('%s → %s', (text, expected) => expect(looksLikeCredential(text)).toBe(expected));
});

describe('base64Cores', () => {
  it('finds the value inside any base64 that encodes it, at every offset, standard and url-safe', () => {
    for (const value of ['s3cret-k3y-123', 'Tr0ub4dor&3x', 'é?>~~~?>é-7']) {
      const cores = base64Cores(value);
      for (const before of ['', 'u', 'us', 'use', 'user:', 'a longer prefix:']) {
        for (const after of ['', '!', '!!', '\n']) {
          const bytes = Buffer.from(`${before}${value}${after}`);
          for (const encoded of [bytes.toString('base64'), bytes.toString('base64url')]) {
            expect(cores.some((core) => encoded.includes(core)), `${before}|value|${JSON.stringify(after)} as ${encoded}`).toBe(true);
          }
        }
      }
    }
  });

  it('gives nothing for a value too short for base64 to be told from chance', () => {
    expect(base64Cores('abcd')).toEqual([]);
    expect(base64Cores('abcdefg').every((core) => core.length >= 8)).toBe(true);
  });
});

describe('needlesOf', () => {
  it('gives each part its normalised spelling and its base64, and the floor keeps short parts out', () => {
    const needles = needlesOf('redis://:pw@Cache.Corp.Internal:6379/0', 3);
    expect(needles.every((n) => n.valueIndex === 3)).toBe(true);
    expect(needles.filter((n) => !n.base64).map((n) => [n.part, n.text])).toEqual([
      ['value', 'redis://:pw@cache.corp.internal:6379/0'],
      ['host', 'cache.corp.internal'],
    ]);
    expect(needles.filter((n) => n.base64 && n.part === 'host').map((n) => n.text)).toContain(Buffer.from('Cache.Corp.Internal').toString('base64').slice(0, 25).toLowerCase());
  });

  it('adds the form-encoded spelling of a value with spaces', () => {
    expect(needlesOf('open sesame@42!', 0).filter((n) => !n.base64).map((n) => n.text)).toEqual(['open sesame@42!', 'open+sesame@42!', 'sesame@42!']);
  });
});
