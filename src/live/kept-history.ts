// The stored history a publish reads (component days of the days before today, and roll-ups), kept
// between publishes: it changes only when the daemon's refresh writes it, every 10 minutes, and the
// daemon says so (`changed`). A question the kept answer was not for is read from the store.
import type { ComponentDay, DailyRollup, EpochDay, Store } from '../store/types.ts';

/** `location` absent: every location's (a publisher voting over several). */
type DaysQuery = { location?: string; sinceDay: EpochDay; untilDay?: EpochDay };
type Slot<T> = { key: string; rows: Promise<T[]> } | undefined;

export class KeptHistory {
  private readonly slots: { days: Slot<ComponentDay>; rollups: Slot<DailyRollup> } = { days: undefined, rollups: undefined };
  /** Answers given from what was kept, and reads of the store. */
  readonly counts = { kept: 0, read: 0 };

  componentDays(store: Store, query: DaysQuery): Promise<ComponentDay[]> {
    return this.answer('days', query, () => store.componentDays(query));
  }

  rollups(store: Store, query: DaysQuery): Promise<DailyRollup[]> {
    return this.answer('rollups', query, () => store.rollups(query));
  }

  /** The stored history was written (the daemon's refresh): the next publish reads it again. */
  changed(): void {
    this.slots.days = undefined;
    this.slots.rollups = undefined;
  }

  private answer<K extends keyof KeptHistory['slots'], T>(slot: K, query: DaysQuery, read: () => Promise<T[]>): Promise<T[]> {
    const key = JSON.stringify(query);
    const kept = this.slots[slot] as Slot<T>;
    if (kept?.key === key) {
      this.counts.kept++;
      return kept.rows;
    }
    this.counts.read++;
    const rows = read();
    (this.slots[slot] as Slot<T>) = { key, rows };
    // A failed read is not kept.
    rows.catch(() => {
      if ((this.slots[slot] as Slot<T>)?.rows === rows) this.slots[slot] = undefined;
    });
    return rows;
  }
}
