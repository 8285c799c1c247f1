// What an app should show at a given moment, from the feed's timestamps alone: so a banner starts
// and ends on time between polls. Pure; the time is passed in (the client's corrected clock).
import type { Banner, BannerFeed } from './feed.ts';

export interface BannerState {
  /** Windows and incidents in effect now. */
  active: Banner[];
  /** Announced windows that have not started yet, soonest first. */
  upcoming: Banner[];
  /** True while any banner in effect blocks sign-in. */
  signInBlocked: boolean;
  /** Set when a banner in effect or upcoming requires a newer client than this one. */
  updateRequired: { minimumVersion: string } | null;
  /** When this state next changes by the clock alone (a start or an end), or null. */
  nextChangeAt: number | null;
}

/** Compares dotted versions numerically ("4.10.0" > "4.9.3"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export function bannerStateAt(feed: BannerFeed | undefined, now: number, clientVersion?: string): BannerState {
  const active: Banner[] = [];
  const upcoming: Banner[] = [];
  let nextChangeAt: number | null = null;
  const consider = (at: number) => {
    if (at > now && (nextChangeAt === null || at < nextChangeAt)) nextChangeAt = at;
  };
  for (const banner of feed?.banners ?? []) {
    const start = Date.parse(banner.startsAt);
    const end = banner.endsAt === null ? Number.POSITIVE_INFINITY : Date.parse(banner.endsAt);
    consider(start);
    consider(end);
    if (now >= end) continue; // over: the next build will drop it; until then the client already does
    if (now >= start) active.push(banner);
    else upcoming.push(banner);
  }
  upcoming.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  let updateRequired: BannerState['updateRequired'] = null;
  for (const banner of [...active, ...upcoming]) {
    const needed = banner.updateRequired?.minimumVersion;
    if (needed === undefined) continue;
    if (clientVersion !== undefined && compareVersions(clientVersion, needed) >= 0) continue;
    if (!updateRequired || compareVersions(needed, updateRequired.minimumVersion) > 0) updateRequired = { minimumVersion: needed };
  }
  return { active, upcoming, signInBlocked: active.some((b) => b.signInBlocked), updateRequired, nextChangeAt };
}
