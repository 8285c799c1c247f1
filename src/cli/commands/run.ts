// `statuspost run`: the daemon. Probes on schedule and records every result until SIGTERM or SIGINT.
import { loadConfig } from '../../config/load.ts';
import { acquireLock, type Lock } from '../../daemon/lock.ts';
import { createLogger, type LogFormat } from '../../daemon/log.ts';
import { startDaemon } from '../../daemon/daemon.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { openStore } from '../../store/open.ts';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';

export const runCommand: Command = {
  summary: 'the daemon: probe on schedule and record every result',
  usage: `Usage: statuspost run [--root DIR] [--log-format text|json] [--verbose]

Schedules every check in probes/checks/*.yaml with its own schedule, runs them under the shared
concurrency limit, and records every result in the store of probes/site.yaml (SQLite by default).
Roll-ups are refreshed and raw results older than the retention are pruned every 10 minutes.
If the store is unreachable, results wait in memory (up to 100,000) and writes are retried.
SIGTERM or SIGINT stops it gracefully: in-flight checks end, everything buffered is written.

  --root DIR           the project folder (default: the current folder)
  --log-format FORMAT  text (default) or json: one line per event on standard error
  --verbose            also log every write and schedule detail

Exit codes: 0 stopped by a signal, 1 configuration problems, 3 the store cannot be opened or is in
use by another daemon.`,
  async run(argv) {
    const args = parseCommandArgs('run', argv, {
      'log-format': { type: 'string', default: 'text' },
      verbose: { type: 'boolean', default: false },
      'flush-interval': { type: 'string' }, // for tests: milliseconds between writes
    });
    const format = args.values['log-format'];
    if (format !== 'text' && format !== 'json') {
      throw new StatuspostError('SP_USAGE', `run: --log-format must be text or json, not "${String(format)}"`);
    }
    const logger = createLogger({ format: format as LogFormat, debug: args.values.verbose === true });
    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);

    let lock: Lock | undefined;
    if (config.site.store.engine === 'sqlite') {
      lock = await acquireLock(`${resolve(args.root, config.site.store.path)}.lock`, args.root);
    }
    try {
      const store = await openStore(config.site.store, args.root);
      try {
        await store.migrate();
      } catch (error) {
        // A server that is down now may be up soon: keep probing and buffer. A file that cannot be opened will not.
        if (!(error instanceof StatuspostError) || error.code !== 'SP_STORE_UNAVAILABLE' || store.engine !== 'postgres') throw error;
        logger.warn('store-down', `store unavailable at start: ${error.message}; results wait in memory`);
      }
      const flush = Number(args.values['flush-interval']);
      const daemon = startDaemon({ config, store, logger, ...(flush > 0 ? { flushIntervalMs: flush } : {}) });
      await new Promise<void>((resolveStop) => {
        process.once('SIGTERM', resolveStop);
        process.once('SIGINT', resolveStop);
      });
      logger.info('stopping', 'stopping: waiting for running checks, then writing what is buffered');
      const stats = await daemon.stop();
      await store.close();
      return stats.buffered === 0 ? ExitCode.ok : ExitCode.unavailable;
    } finally {
      await lock?.release();
    }
  },
};
