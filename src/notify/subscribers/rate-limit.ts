// Token buckets for the sign-up form, pure: the time is passed in. A bucket holds up to `capacity`
// requests and gains one every `refillMs`; a request takes one or is refused with how long to wait.
// Per address (so nobody's inbox can be filled with confirmation mails) and per client (so one
// client cannot walk through many addresses).

export interface BucketRule {
  capacity: number;
  refillMs: number;
}

export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (epoch ms). */
  at: number;
}

export type Take = { allowed: true; bucket: Bucket } | { allowed: false; bucket: Bucket; retryAfterMs: number };

/** Takes one token from `bucket` (undefined: a full one) at `now`. */
export function take(rule: BucketRule, bucket: Bucket | undefined, now: number): Take {
  const elapsed = bucket ? Math.max(0, now - bucket.at) : 0;
  const tokens = bucket ? Math.min(rule.capacity, bucket.tokens + elapsed / rule.refillMs) : rule.capacity;
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, at: now } };
  return { allowed: false, bucket: { tokens, at: now }, retryAfterMs: Math.ceil((1 - tokens) * rule.refillMs) };
}

/** True when a bucket left alone since `bucket.at` would be full again at `now` (it can be forgotten). */
export const isFull = (rule: BucketRule, bucket: Bucket, now: number) => bucket.tokens + (now - bucket.at) / rule.refillMs >= rule.capacity;

/**
 * Buckets by key, in memory, bounded: full buckets are forgotten, and past `maxKeys` the oldest
 * go (a flood of distinct keys then costs memory it is allowed, not more).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly rule: BucketRule,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): Take {
    const result = take(this.rule, this.buckets.get(key), now);
    this.buckets.delete(key);
    this.buckets.set(key, result.bucket);
    if (this.buckets.size > this.maxKeys) {
      for (const k of this.buckets.keys()) {
        if (this.buckets.size <= this.maxKeys) break;
        if (k !== key) this.buckets.delete(k);
      }
    }
    return result;
  }
}
