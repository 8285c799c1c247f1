// The pure parts of sign-up: signed tokens (purpose, expiry, constant-time check) and token buckets
// (time passed in, so every case is exact).
import { describe, expect, it } from 'vitest';
import { RateLimiter, take } from '../../../src/notify/subscribers/rate-limit.ts';
import { emailSubscriberId, signToken, verifyToken } from '../../../src/notify/subscribers/token.ts';

const SECRET = 'a-secret-of-some-length-000';
const NOW = Date.now();

describe('tokens', () => {
  const id = emailSubscriberId(' Reader@Example.org ');

  it('the id is the SHA-256 of the trimmed, lower-cased address', () => {
    expect(id).toMatch(/^email:[0-9a-f]{64}$/);
    expect(emailSubscriberId('reader@example.org')).toBe(id);
  });

  it('a token is good for its purpose until it expires', () => {
    const token = signToken(SECRET, 'confirm', id, NOW + 1000);
    expect(verifyToken(SECRET, 'confirm', token, NOW)).toEqual({ ok: true, id });
    expect(verifyToken(SECRET, 'confirm', token, NOW + 999)).toEqual({ ok: true, id });
    expect(verifyToken(SECRET, 'confirm', token, NOW + 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(SECRET, 'unsubscribe', token, NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken('another-secret-00000000000', 'confirm', token, NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('changing any part breaks the signature', () => {
    const token = signToken(SECRET, 'confirm', id, NOW + 1000);
    const [purpose, sid, expires, sig] = token.split('.') as [string, string, string, string];
    const otherId = emailSubscriberId('someone@example.org');
    expect(verifyToken(SECRET, 'confirm', [purpose, otherId, expires, sig].join('.'), NOW).ok).toBe(false);
    expect(verifyToken(SECRET, 'confirm', [purpose, sid, String(NOW + 10_000_000), sig].join('.'), NOW).ok).toBe(false);
    expect(verifyToken(SECRET, 'confirm', [purpose, sid, expires, `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`].join('.'), NOW).ok).toBe(false);
    expect(verifyToken(SECRET, 'confirm', 'garbage', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('an unsubscribe token (expires 0) never expires', () => {
    const token = signToken(SECRET, 'unsubscribe', id, 0);
    expect(verifyToken(SECRET, 'unsubscribe', token, NOW + 10 * 365 * 86_400_000)).toEqual({ ok: true, id });
  });
});

describe('token buckets', () => {
  const rule = { capacity: 2, refillMs: 1000 };

  it('allows the capacity at once, then one per refill time, and says how long to wait', () => {
    let bucket = take(rule, undefined, NOW);
    expect(bucket.allowed).toBe(true);
    bucket = take(rule, bucket.bucket, NOW);
    expect(bucket.allowed).toBe(true);
    const refused = take(rule, bucket.bucket, NOW + 250);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 750 });
    expect(take(rule, refused.bucket, NOW + 1000).allowed).toBe(true);
  });

  it('a bucket never holds more than its capacity, however long it waits', () => {
    let result = take(rule, { tokens: 0, at: NOW }, NOW + 60_000);
    result = take(rule, result.bucket, NOW + 60_000);
    expect(take(rule, result.bucket, NOW + 60_000).allowed).toBe(false);
  });

  it('keys are limited on their own, and the map stays bounded', () => {
    const limiter = new RateLimiter({ capacity: 1, refillMs: 1000 }, 3);
    expect(limiter.take('a', NOW).allowed).toBe(true);
    expect(limiter.take('a', NOW).allowed).toBe(false);
    expect(limiter.take('b', NOW).allowed).toBe(true);
    for (const key of ['c', 'd', 'e', 'f']) limiter.take(key, NOW);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(3);
  });
});

describe('client keys', () => {
  it('an IPv4 address is itself (also when IPv4-mapped); an IPv6 address counts by its /64', async () => {
    const { clientKey } = await import('../../../src/serve/subscribe.ts');
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});
