// A clock and timers the test moves by hand (the LeaseTimers of src/locations/lease.ts, and the
// same shape for the follower): time passes only in advance(), and the promises each timer starts
// are let run to their next wait before time moves on.
export class FakeClock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.t = start;
  }

  now = (): number => this.t;

  set = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  };

  clear = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** Moves time forward by `ms`, firing every timer due on the way in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.timers) {
        if (timer.at < nextAt || (timer.at === nextAt && id < nextId!)) {
          nextAt = timer.at;
          nextId = id;
        }
      }
      if (nextId === undefined || nextAt > end) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.t = Math.max(this.t, timer.at);
      timer.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets pending promise chains run (a few macrotask turns: awaits inside awaits). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
