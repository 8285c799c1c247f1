// The pure parts under the providers: grapheme-safe truncation, Retry-After, answer classification.
import { describe, expect, test } from 'vitest';
import { classifyAnswer, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../../src/notify/providers/http-send.ts';
import { headline, truncate, worstSeverity } from '../../../src/notify/providers/text.ts';
import { CASES, EPOCH } from './fixtures.ts';

describe('truncate', () => {
  test('leaves text within the limit alone', () => {
    expect(truncate('Chat nodes down', 15)).toBe('Chat nodes down');
  });

  test('cuts with an ellipsis, within the limit', () => {
    const cut = truncate('Chat nodes are down since 09:30', 12);
    expect(cut).toBe('Chat nodes…');
    expect(cut.length).toBeLessThanOrEqual(12);
  });

  test('never splits a grapheme: joined emoji, flags, combining accents', () => {
    const family = '👩‍👩‍👧‍👦'; // 11 UTF-16 units, one grapheme
    expect(truncate(`ab${family}${family}`, 14)).toBe(`ab${family}…`);
    expect(truncate(`ab${family}${family}`, 13)).toBe('ab…');
    expect(truncate('🇫🇷🇩🇪🇯🇵', 6)).toBe('🇫🇷…'); // a flag is two code points, never one regional letter
    expect(truncate('e\u0301e\u0301e\u0301', 4)).toBe('e\u0301…'); // é as e + combining acute
  });

  test('counts bytes for byte limits', () => {
    const text = 'ü'.repeat(100); // 2 bytes each
    const cut = truncate(text, 51, 'utf8');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(51);
    expect(cut).toBe(`${'ü'.repeat(24)}…`); // 48 bytes + 3 for the ellipsis
  });

  test('a long text is cut quickly, and a grapheme the window cuts is dropped', () => {
    const family = '👩‍👩‍👧‍👦';
    const long = family.repeat(200_000);
    const started = performance.now();
    const cut = truncate(long, 1000);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(cut).toBe(`${family.repeat(90)}…`);
  });
});

describe('message words', () => {
  test('the worst severity wins; resolved only when all are', () => {
    expect(worstSeverity(CASES['ten-checks']!.events)).toBe('critical');
    expect(worstSeverity(CASES.resolution!.events)).toBe('resolved');
    expect(worstSeverity([...CASES.resolution!.events, ...CASES['tls-expiry']!.events])).toBe('warning');
  });
  test('headline names the first event and counts the rest', () => {
    expect(headline(CASES['one-down']!)).toBe('Chat nodes: major outage');
    expect(headline(CASES['ten-checks']!)).toBe('node-1-http: down (+9 more)');
  });
});

describe('Retry-After', () => {
  const now = EPOCH;
  test('delta-seconds, fractions rounded up, capped', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
  });
  test('HTTP-date, against the answer\'s Date header when there is one', () => {
    const at = new Date(now + 90_000).toUTCString();
    expect(parseRetryAfter(at, now)).toBe(90_000);
    expect(parseRetryAfter(at, now + 1_000_000, new Date(now).toUTCString())).toBe(90_000);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 0))).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 0))).toBe(37_000);
  });
  test('anything else is ignored', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('2026-01-15', now)).toBeUndefined();
  });
});

describe('classifyAnswer', () => {
  test.each([
    [200, true, false],
    [202, true, false],
    [204, true, false],
    [301, false, false],
    [400, false, false],
    [401, false, false],
    [403, false, false],
    [404, false, false],
    [408, false, true],
    [410, false, false],
    [413, false, false],
    [425, false, true],
    [429, false, true],
    [500, false, true],
    [502, false, true],
    [503, false, true],
  ])('%i: ok %s, retryable %s', (code, ok, retryable) => {
    expect(classifyAnswer(code, {}, '', EPOCH)).toMatchObject({ ok, code, retryable });
  });
  test('the answer is in words', () => {
    expect(classifyAnswer(429, { 'retry-after': '3' }, '', EPOCH)).toEqual({ ok: false, code: 429, answer: '429 Too Many Requests', retryable: true, retryAfterMs: 3000 });
    expect(classifyAnswer(400, {}, 'no_text\n', EPOCH).answer).toBe('400 Bad Request: no_text');
  });
});
