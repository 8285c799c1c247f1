// Today's kept state of every location (src/live), for a publisher that votes over several: one
// LiveStatus per location, fed by this daemon's own results and by the store's follower (follow.ts)
// for the others, and one kept history of the stored days before today for all of them.
import { KeptHistory } from '../live/kept-history.ts';
import { LiveStatus } from '../live/live-status.ts';
import type { ZoneDays } from '../status/component-days.ts';

export class LiveByLocation {
  private readonly byLocation = new Map<string, LiveStatus>();
  /** Stored component days and roll-ups, kept until the refresh writes them again (`history.changed()`). */
  readonly history = new KeptHistory();

  constructor(private readonly zone: ZoneDays) {}

  /** The location's kept state, started empty the first time it is asked for. */
  location(name: string): LiveStatus {
    let live = this.byLocation.get(name);
    if (!live) {
      live = new LiveStatus(this.zone);
      this.byLocation.set(name, live);
    }
    return live;
  }

  /** The locations held now. */
  names(): string[] {
    return [...this.byLocation.keys()];
  }
}
