// `statuspost serve`: the published site on a local address, for a quick look or a small setup.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration } from '../../config/duration.ts';
import { StatuspostError } from '../../errors.ts';
import { startStaticServer, type StaticServer } from '../../serve/static-server.ts';
import { serveSubscriptions } from '../../serve/subscriptions-setup.ts';
import { parseCommandArgs, wholeNumber } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';
import { stopSignal } from '../stop-signal.ts';

export const serveCommand: Command = {
  summary: 'serve the published site over HTTP',
  usage: `Usage: statuspost serve [--out DIR] [--host H] [--port N] [--max-rate N] [--max-concurrent N]
                       [--max-connections N] [--idle-timeout T] [--trust-proxy] [--root DIR] [--json]

Serves the site published by \`statuspost build\` (DIR, default public-site under the project) until
Ctrl-C, for people who have no CDN: files from memory, strong ETags and 304s, the gzip and brotli
copies the build wrote (nothing is compressed per request), Cache-Control per kind of file (60 s for
the feeds and API, a year for hashed assets), CORS for the feeds and API. Each request reads the
build published at that moment, so it can run beside \`statuspost run\`, which republishes into the
same folder.

With subscriptions.email in probes/notify.yaml, it also answers email sign-up: the subscribe page
offers a form (double opt-in by a signed, expiring link; one-click unsubscribe; rate limits per
address and per client), and the addresses are kept in the store. Without it, the subscribe page
lists the feeds and says email is not offered.

  --out DIR           the published folder to serve (default: public-site under the project)
  --host H            the address to listen on (default 127.0.0.1)
  --port N            the port (default 4321; 0 picks a free one)
  --max-rate N        requests per second to answer; past it, 503 with a Retry-After spread over
                      the seconds the excess needs at this rate (default 0: no limit)
  --max-concurrent N  requests in progress at once; past it, the same (default 512)
  --max-connections N connections open at once; past it the one idle longest is closed
                      (default half the open-file limit: 512 of 1,024)
  --idle-timeout T    close a connection with no request in progress after T without a
                      byte (default 5s); request headers must be complete within 10 s
  --trust-proxy       take the client's address for the sign-up rate limits from X-Forwarded-For
                      (only behind a proxy of your own that sets it)
  --root DIR          the project folder (default: the current folder)
  --json              print the address as one JSON line, {"url": …, "folder": …}, once listening

Exit codes: 0 stopped by Ctrl-C or SIGTERM, 2 bad usage, 3 the address cannot be listened on (in
use, not this machine's, or not allowed).`,
  async run(argv) {
    const stop = stopSignal(); // first: a signal while starting stops it once started
    const args = parseCommandArgs('serve', argv, {
      out: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4321' },
      'max-rate': { type: 'string', default: '0' },
      'max-concurrent': { type: 'string', default: '512' },
      'max-connections': { type: 'string' },
      'idle-timeout': { type: 'string', default: '5s' },
      'trust-proxy': { type: 'boolean', default: false },
    });
    const port = wholeNumber('serve', 'port', args.values.port, { min: 0, max: 65_535, example: 8080 });
    const maxRate = wholeNumber('serve', 'max-rate', args.values['max-rate'], { min: 0, example: 2000 });
    const maxConcurrent = wholeNumber('serve', 'max-concurrent', args.values['max-concurrent'], { min: 1, example: 512 });
    const limits = connectionFlags(args.values['max-connections'], args.values['idle-timeout']);
    const host = String(args.values.host);
    const output = createOutput(args.json);
    const folder = resolve(args.root, typeof args.values.out === 'string' ? args.values.out : 'public-site');
    // Not an error: `statuspost run` may publish the first build in a moment. Until then, 404s.
    if (!existsSync(folder)) output.error(`note: nothing is published at ${folder} yet; \`statuspost build\` publishes it`);
    const subscriptions = await serveSubscriptions(args.root, folder, { trustForwardedFor: args.values['trust-proxy'] === true, note: (text) => output.error(text) });
    let server: StaticServer;
    try {
      server = await startStaticServer({ folder, host, port, maxRate, maxConcurrent, ...limits, ...(subscriptions ? { routes: subscriptions.routes } : {}) });
    } catch (error) {
      await subscriptions?.close();
      throw listenFailed(error as NodeJS.ErrnoException, host, port);
    }
    if (args.json) output.data({ url: server.url, folder, ...(subscriptions ? { emailSignUp: true } : {}) });
    else output.line(`serving ${folder} at ${server.url}${subscriptions ? ', with email sign-up' : ''} (Ctrl-C stops)`);
    await stop;
    await server.close();
    await subscriptions?.close();
    return ExitCode.ok;
  },
};

function connectionFlags(maxConnections: unknown, idleTimeout: unknown): { maxConnections?: number; idleTimeoutMs: number } {
  const idleTimeoutMs = parseDuration(String(idleTimeout));
  if (idleTimeoutMs === undefined || idleTimeoutMs <= 0) {
    throw new StatuspostError('SP_USAGE', `serve: --idle-timeout "${String(idleTimeout)}" is not a duration`, { hint: 'e.g. 5s or 500ms' });
  }
  if (maxConnections === undefined) return { idleTimeoutMs };
  return { maxConnections: wholeNumber('serve', 'max-connections', maxConnections, { min: 1, example: 400 }), idleTimeoutMs };
}

const reasons: Record<string, string> = {
  EADDRINUSE: 'the address is in use',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s',
  EACCES: 'this user may not listen on that port',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

function listenFailed(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const reason = error.code === undefined ? undefined : reasons[error.code];
  if (!reason) return error;
  return new StatuspostError('SP_LISTEN_FAILED', `serve: cannot listen on ${host}:${port}: ${reason}`, {
    hint: error.code === 'EADDRINUSE' ? 'choose another --port (0 picks a free one), or stop the program listening there' : 'choose another --host or --port',
    cause: error,
  });
}
