// The banner feed as the SDK reads it: plain types and a shape check with no dependencies (the SDK
// runs in browsers; the server's zod schema in src/feeds/banner.ts is the source of truth, and a
// type test keeps the two in step).

export interface Banner {
  id: string;
  kind: 'maintenance' | 'incident';
  severity: 'info' | 'warning' | 'critical';
  title: string;
  short: string;
  long: string;
  startsAt: string;
  endsAt: string | null;
  components: string[];
  signInBlocked: boolean;
  updateRequired: { minimumVersion: string } | null;
  url: string;
}

export interface BannerFeed {
  $schema: string;
  version: 1;
  generatedAt: string;
  pollSeconds: number;
  hash: string;
  site: { title: string; url: string };
  banners: Banner[];
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown) => isString(v) && !Number.isNaN(Date.parse(v));

/** The feed if the body is one this SDK understands, otherwise undefined (and the last good feed stays). */
export function parseFeed(body: string): BannerFeed | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const feed = value as Partial<BannerFeed> | null;
  if (!feed || typeof feed !== 'object' || feed.version !== 1 || !Array.isArray(feed.banners) || !isTime(feed.generatedAt)) return undefined;
  if (typeof feed.pollSeconds !== 'number' || !(feed.pollSeconds > 0) || !isString(feed.hash)) return undefined;
  for (const b of feed.banners as unknown[]) {
    const banner = b as Partial<Banner> | null;
    if (!banner || typeof banner !== 'object' || !isString(banner.id) || !isString(banner.title) || !isTime(banner.startsAt)) return undefined;
    if (banner.endsAt !== null && !isTime(banner.endsAt)) return undefined;
    if (typeof banner.signInBlocked !== 'boolean' || !Array.isArray(banner.components)) return undefined;
  }
  return feed as BannerFeed;
}
