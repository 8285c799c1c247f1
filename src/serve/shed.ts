// Load shedding that tells each turned-away client when to come back, so that returns arrive at the
// rate the server can take: every 503 books its client into the earliest future second that still
// has room (90% of the rate, leaving a tenth for traffic nobody booked), and Retry-After names that
// second. A storm of N requests against a rate of C per second is turned into N ÷ C seconds of
// orderly returns, instead of a thundering herd at "Retry-After: 1". Time is passed in (pure state).

export interface ShedderOptions {
  /** Requests admitted per second; 0 means no rate limit. */
  maxRate: number;
  /** Requests in progress at once. */
  maxConcurrent: number;
  /** Share of each future second's capacity handed out to returning clients. Default 0.9. */
  fill?: number;
  /** The longest wait ever given, in seconds. Default 600. */
  maxWaitSeconds?: number;
}

export interface Shedder {
  /** Undefined: serve it. A number: answer 503 with this Retry-After, in seconds. */
  admit(nowMs: number, active: number): number | undefined;
}

export function createShedder(options: ShedderOptions): Shedder {
  const capacity = options.maxRate > 0 ? options.maxRate : options.maxConcurrent;
  const perSlot = Math.max(1, Math.floor(capacity * (options.fill ?? 0.9)));
  const maxWait = options.maxWaitSeconds ?? 600;
  let second = -1;
  let admitted = 0;
  let slot = 0; // the second being filled with returning clients
  let booked = 0; // how many are booked into it
  return {
    admit(nowMs, active) {
      const now = Math.floor(nowMs / 1000);
      if (now !== second) {
        second = now;
        admitted = 0;
      }
      if (active < options.maxConcurrent && (options.maxRate === 0 || admitted < options.maxRate)) {
        admitted++;
        return undefined;
      }
      if (slot <= now) {
        slot = now + 1;
        booked = 0;
      }
      if (booked >= perSlot) {
        slot++;
        booked = 0;
      }
      booked++;
      return Math.min(maxWait, slot - now);
    },
  };
}
