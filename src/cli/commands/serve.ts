// `statuspost serve`: the published site on a local address, for a quick look or a small setup.
import { resolve } from 'node:path';
import { startStaticServer } from '../../serve/static-server.ts';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput } from '../output.ts';

export const serveCommand: Command = {
  summary: 'serve the published site over HTTP',
  usage: `Usage: statuspost serve [--out DIR] [--host 127.0.0.1] [--port 4321] [--root DIR]

Serves the site published by \`statuspost build\` (DIR, default public-site under the project) with
strong ETags and 304 answers, until Ctrl-C. Each request reads the build published at that moment.`,
  async run(argv) {
    const args = parseCommandArgs('serve', argv, {
      out: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '4321' },
    });
    const output = createOutput(args.json);
    const folder = resolve(args.root, typeof args.values.out === 'string' ? args.values.out : 'public-site');
    const server = await startStaticServer({ folder, host: String(args.values.host), port: Number(args.values.port) });
    output.line(`serving ${folder} at ${server.url} (Ctrl-C stops)`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await server.close();
    return ExitCode.ok;
  },
};
