// The reference for bench:build: the smallest Astro 5 site that publishes one page per post, reading
// the posts from a JSON file in getStaticPaths (the fast path the issue measured) and rendering their
// Markdown with markdown-it. statuspost's full build is compared with it on the same posts.
import { defineConfig } from 'astro/config';

export default defineConfig({ output: 'static', build: { format: 'directory' }, devToolbar: { enabled: false } });
