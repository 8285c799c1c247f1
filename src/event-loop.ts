// better-sqlite3 answers synchronously, so a loop of awaited store reads never gives the event loop
// a turn: at 200 checks every 5 s, a publish's reads of today held it for 2.4 s (bench:snapshot),
// and every probe timer due meanwhile fired that late. Loops that read per check await this between reads.

/** Resolves after the event loop has run its timers and I/O once. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
