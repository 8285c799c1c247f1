// statuspost/client: the banner feed SDK, for browsers and Node.
export { createBannerClient, type BannerClient, type BannerClientOptions, type BannerClientStats } from './banner-client.ts';
export { nextDelay, type BackoffLimits } from './backoff.ts';
export { parseFeed, type Banner, type BannerFeed } from './feed.ts';
export { parseMaxAge, parseRetryAfter } from './hints.ts';
export { bannerStateAt, compareVersions, type BannerState } from './state.ts';
