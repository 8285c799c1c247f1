// `statuspost serve`: the published site on a local address, for a quick look or a small setup.
import { resolve } from 'node:path';
import { parseDuration } from '../../config/duration.ts';
import { StatuspostError } from '../../errors.ts';
import { startStaticServer } from '../../serve/static-server.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';

export const serveCommand: Command = {
  summary: 'serve the published site over HTTP',
  usage: `Usage: statuspost serve [--out DIR] [--host 127.0.0.1] [--port 4321] [--max-rate N] [--max-concurrent N]
                       [--max-connections N] [--idle-timeout 5s] [--root DIR]

Serves the site published by \`statuspost build\` (DIR, default public-site under the project) until
Ctrl-C, for people who have no CDN: files from memory, strong ETags and 304s, the gzip and brotli
copies the build wrote (nothing is compressed per request), Cache-Control per kind of file (60 s for
the feeds and API, a year for hashed assets), CORS for the feeds and API. Each request reads the
build published at that moment.

  --max-rate N        requests per second to answer; past it, 503 with a Retry-After spread over
                      the seconds the excess needs at this rate (default: no limit)
  --max-concurrent N  requests in progress at once; past it, the same (default 512)
  --max-connections N connections open at once; past it the one idle longest is closed
                      (default half the open-file limit: 512 of 1,024)
  --idle-timeout T    close a connection with no request in progress after T without a
                      byte (default 5s); request headers must be complete within 10 s`,
  async run(argv) {
    const args = parseCommandArgs('serve', argv, {
      out: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4321' },
      'max-rate': { type: 'string', default: '0' },
      'max-concurrent': { type: 'string', default: '512' },
      'max-connections': { type: 'string' },
      'idle-timeout': { type: 'string', default: '5s' },
    });
    const limits = connectionFlags(args.values['max-connections'], args.values['idle-timeout']);
    const output = createOutput(args.json);
    const folder = resolve(args.root, typeof args.values.out === 'string' ? args.values.out : 'public-site');
    const server = await startStaticServer({
      folder,
      host: String(args.values.host),
      port: Number(args.values.port),
      maxRate: Number(args.values['max-rate']),
      maxConcurrent: Number(args.values['max-concurrent']),
      ...limits,
    });
    output.line(`serving ${folder} at ${server.url} (Ctrl-C stops)`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await server.close();
    return ExitCode.ok;
  },
};

function connectionFlags(maxConnections: unknown, idleTimeout: unknown): { maxConnections?: number; idleTimeoutMs: number } {
  const idleTimeoutMs = parseDuration(String(idleTimeout));
  if (idleTimeoutMs === undefined || idleTimeoutMs <= 0) {
    throw new StatuspostError('SP_USAGE', `serve: --idle-timeout "${String(idleTimeout)}" is not a duration`, { hint: 'e.g. 5s or 500ms' });
  }
  if (maxConnections === undefined) return { idleTimeoutMs };
  const count = Number(maxConnections);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new StatuspostError('SP_USAGE', `serve: --max-connections "${String(maxConnections)}" is not a whole number above 0`, { hint: 'e.g. --max-connections 400' });
  }
  return { maxConnections: count, idleTimeoutMs };
}
