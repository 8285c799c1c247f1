// `statuspost export`: raw results as CSV or JSON lines, streamed, for any size of history.
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { loadConfig } from '../../config/load.ts';
import { parseDuration } from '../../config/duration.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { openStore } from '../../store/open.ts';
import type { StoredResult } from '../../store/types.ts';
import { flagChoice, parseCommandArgs } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { writeOrStop } from '../output.ts';

export const exportCommand: Command = {
  summary: 'write recorded raw results as CSV or JSON lines',
  usage: `Usage: statuspost export --since WHEN [--until WHEN] [--check ID] [--format csv|jsonl] [--out FILE] [--root DIR] [--json]

Streams the raw results kept in the store (the retention period of probes/site.yaml) in time order.
WHEN is a date (2026-11-01, midnight UTC), a time with an offset (2026-11-01T08:00:00+01:00), or a
duration back from now (7d, 12h).

  --since WHEN    the first results to write (required)
  --until WHEN    the last (default: now)
  --check ID      only this check
  --format F      csv (default; a header row, RFC 4180 quoting) or jsonl (one JSON object per line)
  --json          the same as --format jsonl
  --out FILE      write to FILE instead of standard output
  --root DIR      the project folder (default: the current folder)

Columns: startedAt (ISO 8601, UTC), checkId, location, status, latencyMs, message, details (JSON).
A reader that stops early (\`| head\`) ends the export quietly.

Exit codes: 0 written, 1 configuration problems, 2 bad usage, 3 the store cannot be opened, or the
--out file could not be written to the end (a full disk: the message says how many results it holds).`,
  async run(argv) {
    const args = parseCommandArgs('export', argv, {
      since: { type: 'string' },
      until: { type: 'string' },
      check: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    });
    const format = flagChoice('export', 'format', String(args.values.format ?? (args.json ? 'jsonl' : 'csv')), ['csv', 'jsonl']);
    if (args.json && format !== 'jsonl') throw new StatuspostError('SP_USAGE', 'export: --json means --format jsonl, not csv', { hint: 'give one of them' });
    if (typeof args.values.since !== 'string') {
      throw new StatuspostError('SP_USAGE', 'export: --since is required', { hint: 'e.g. --since 7d or --since 2026-11-01' });
    }
    const now = Date.now();
    const since = parseWhen(args.values.since, now, '--since');
    const until = typeof args.values.until === 'string' ? parseWhen(args.values.until, now, '--until') : undefined;

    const { config, problems } = await loadConfig(args.root);
    if (!config) throw new ProblemsError(problems);
    const out: Writable = typeof args.values.out === 'string' ? await openOut(args.values.out) : process.stdout;
    const store = await openStore(config.site.store, args.root);
    let rows = 0;
    try {
      // A reader that stops early (`| head`) ends the export: leaving the loop closes the store's cursor.
      if (format === 'csv' && !(await writeOrStop(out, `${CSV_COLUMNS.join(',')}\r\n`))) return ExitCode.ok;
      const query = { since, ...(until === undefined ? {} : { until }), ...(typeof args.values.check === 'string' ? { checkId: args.values.check } : {}) };
      for await (const result of store.streamResults(query)) {
        if (!(await writeOrStop(out, format === 'csv' ? toCsvRow(result) : `${JSON.stringify(toRecord(result))}\n`))) break;
        rows++;
      }
      if (out !== process.stdout) await finish(out);
    } catch (error) {
      // A full disk or a vanished file system while writing --out: the command could not finish.
      const code = (error as NodeJS.ErrnoException).code;
      if (out === process.stdout || code === undefined) throw error;
      throw new StatuspostError('SP_WRITE_FAILED', `export: writing ${String(args.values.out)} failed after ${rows} results (${describeWriteError(code)}); the file is incomplete`, {
        hint: 'free space or choose another --out, then export again',
        cause: error,
      });
    } finally {
      await store.close();
      if (out !== process.stdout && !out.writableFinished) out.destroy();
    }
    if (typeof args.values.out === 'string') process.stderr.write(`exported ${rows} results to ${args.values.out}\n`);
    return ExitCode.ok;
  },
};

/** Ends the file and waits until its last bytes are written (or the write fails). */
function finish(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => (stream.errored ? reject(stream.errored) : resolve()));
  });
}

const WRITE_ERRORS: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'the disk quota is used up', EIO: 'an input/output error', EROFS: 'the file system is read-only', EFBIG: 'the file is too large for its file system' };
const describeWriteError = (code: string) => `${WRITE_ERRORS[code] ?? 'the system refused the write'}, ${code}`;

/** The file is opened before the store, so a path that cannot be written is a usage error up front. */
async function openOut(path: string): Promise<Writable> {
  try {
    const stream = (await open(path, 'w')).createWriteStream();
    // A failure while writing (a full disk) is kept in stream.errored; the next write reports it.
    stream.on('error', () => undefined);
    return stream;
  } catch (error) {
    throw new StatuspostError('SP_USAGE', `export: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'give --out a file in a folder that exists and can be written',
    });
  }
}

const CSV_COLUMNS = ['startedAt', 'checkId', 'location', 'status', 'latencyMs', 'message', 'details'] as const;

function toRecord(result: StoredResult) {
  return {
    startedAt: new Date(result.startedAt).toISOString(),
    checkId: result.checkId,
    location: result.location,
    status: result.status,
    latencyMs: result.latencyMs,
    message: result.message,
    details: result.details,
  };
}

export function toCsvRow(result: StoredResult): string {
  const record = toRecord(result);
  const cells = [record.startedAt, record.checkId, record.location, record.status, record.latencyMs ?? '', record.message, JSON.stringify(record.details)];
  return `${cells.map((cell) => csvCell(String(cell))).join(',')}\r\n`;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function parseWhen(text: string, now: number, flag: string): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isNaN(ms)) return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new StatuspostError('SP_USAGE', `export: ${flag} "${text}" is not a date, a time with an offset, or a duration`, {
    hint: 'e.g. 2026-11-01, 2026-11-01T08:00:00+01:00 or 7d',
  });
}
