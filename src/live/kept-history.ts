// The stored history a publish reads (component days of the days before today, and roll-ups), kept
// between publishes: it changes only when the daemon's refresh writes it, every 10 minutes, and the
// daemon says so (`changed`). A question the kept answer was not for is read from the store.
import type { ComponentDay, DailyRollup, EpochDay, Store } from '../store/types.ts';

type DaysQuery = { location: string; sinceDay: EpochDay; untilDay?: EpochDay };

export class KeptHistory {
  private days: { key: string; rows: Promise<ComponentDay[]> } | undefined;
  private rollupRows: { key: string; rows: Promise<DailyRollup[]> } | undefined;
  /** Answers given from what was kept, and reads of the store. */
  readonly counts = { kept: 0, read: 0 };

  componentDays(store: Store, query: DaysQuery): Promise<ComponentDay[]> {
    const key = JSON.stringify(query);
    if (this.days?.key === key) {
      this.counts.kept++;
      return this.days.rows;
    }
    this.counts.read++;
    const rows = store.componentDays(query);
    this.days = { key, rows };
    rows.catch(() => (this.days = this.days?.rows === rows ? undefined : this.days)); // a failed read is not kept
    return rows;
  }

  rollups(store: Store, query: DaysQuery): Promise<DailyRollup[]> {
    const key = JSON.stringify(query);
    if (this.rollupRows?.key === key) {
      this.counts.kept++;
      return this.rollupRows.rows;
    }
    this.counts.read++;
    const rows = store.rollups(query);
    this.rollupRows = { key, rows };
    rows.catch(() => (this.rollupRows = this.rollupRows?.rows === rows ? undefined : this.rollupRows));
    return rows;
  }

  /** The stored history was written (the daemon's refresh): the next publish reads it again. */
  changed(): void {
    this.days = undefined;
    this.rollupRows = undefined;
  }
}
