// statuspost as a library: what the CLI is made of, for those who script it. The banner feed SDK
// is a separate entry, `statuspost/client`, light enough for browsers.
export { loadConfig, type Config } from './config/load.ts';
export { loadPosts } from './posts/load.ts';
export { openStore } from './store/open.ts';
export type { Store } from './store/types.ts';
export { gatherSnapshotInput } from './status/gather.ts';
export { buildSnapshot, type Snapshot } from './status/snapshot.ts';
export { buildAndPublish } from './publish/build-site.ts';
export { feedFiles } from './feeds/index.ts';
export { bannerFeedSchema, type BannerFeed } from './feeds/banner.ts';
export { startStaticServer } from './serve/static-server.ts';
