#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/ (built by `npm ci` through the prepare script,
// or `npm run build:cli`): Node 20 cannot run TypeScript directly.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('statuspost is not built yet: run `npm run build:cli` (npm ci does it for you).');
  process.exit(70);
}
await import(entry.href);
