// Decorrelated jitter, as the seeds' team settled on after plain exponential backoff still bunched
// reconnecting clients into waves: wait = min(cap, random_between(floor, previous × rate)).
// Pure, with randomness passed in; no Node-only imports (this file also ships in the browser SDK).

export interface BackoffLimits {
  minMs: number;
  maxMs: number;
  rate: number;
}

export function nextDelay(previousMs: number, limits: BackoffLimits, random: () => number = Math.random): number {
  const ceiling = Math.max(limits.minMs, previousMs * limits.rate);
  return Math.min(limits.maxMs, limits.minMs + random() * (ceiling - limits.minMs));
}
