// Output helpers: plain text for people, one JSON document (or JSON lines) with --json.
import type { Writable } from 'node:stream';
import { formatError, type StatuspostError } from '../errors.ts';

export interface Output {
  json: boolean;
  line(text?: string): void;
  error(text: string): void;
  data(value: unknown): void;
}

export function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  return {
    json,
    line: (text = '') => void stdout.write(`${text}\n`),
    error: (text) => void stderr.write(`${text}\n`),
    data: (value) => void stdout.write(`${JSON.stringify(value)}\n`),
  };
}

export function printProblems(output: Output, problems: readonly StatuspostError[]): void {
  for (const problem of problems) output.error(formatError(problem));
}

/** Columns padded to the widest cell; the last column is never padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Writes `text`, waiting for room when the stream is full. Resolves false once the reader is gone
 * (a closed pipe: EPIPE), so that a streaming command stops producing; any other failure rejects.
 */
export async function writeOrStop(stream: Writable, text: string): Promise<boolean> {
  if (readerGone(stream)) return false;
  if (stream.write(text)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
  return !readerGone(stream);
}

function readerGone(stream: Writable): boolean {
  const error = stream.errored as NodeJS.ErrnoException | null;
  if (error && error.code !== 'EPIPE') throw error;
  return stream.destroyed || error !== null;
}
