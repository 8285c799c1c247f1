// What servers say about when to come back: Retry-After (seconds or an HTTP date) and
// Cache-Control max-age. Pure and table-tested.

/** Milliseconds to wait from `now`, or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its day or month ("Sun, 06 Nov 1994 08:49:37 GMT"); "1.5" or "-5" is
  // not one, though Date.parse would read them as years.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** max-age in milliseconds, or undefined. `no-store`/`no-cache` do not limit polling by themselves. */
export function parseMaxAge(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const match = /(?:^|,)\s*(?:s-)?max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return match ? Number(match[1]) * 1000 : undefined;
}
