// Reads one text file of probes/ or content/ for validation. A file that cannot be read, is too
// large or is not UTF-8 is a problem at its position, never a throw: the same file:line:column line
// as any other mistake, and nothing read past the limit.
import { close as fsClose, constants, fstat as fsFstat, open as fsOpen, read as fsRead } from 'node:fs';
import { join } from 'node:path';
import { StatuspostError, type ErrorCode } from '../errors.ts';
import { formatSize } from './limits.ts';

export interface ReadRules {
  maxBytes: number;
  code: ErrorCode;
  /** "a post", "a file in probes/": what the size limit is for. */
  what: string;
  /** What to do instead of a larger file. */
  sizeHint: string;
}

export type ReadOutcome =
  | { text: string; problem?: undefined }
  /** errno: the system's code when the file could not be opened or read (ENOENT, EACCES). */
  | { text?: undefined; problem: StatuspostError; errno?: string };

export async function readSourceFile(root: string, file: string, rules: ReadRules): Promise<ReadOutcome> {
  const at = { file, line: 1, column: 1 };
  let read: { bytes: Uint8Array; size?: undefined } | { size: number | 'grew' | 'not a file' };
  try {
    read = await readBounded(join(root, file), rules.maxBytes);
  } catch (error) {
    return {
      errno: (error as NodeJS.ErrnoException).code ?? 'EIO',
      problem: new StatuspostError(rules.code, `cannot read the file: ${describeReadError(error)}`, {
        at,
        hint: 'make it readable by the user statuspost runs as (e.g. chmod a+r), or move it out of the folder',
      }),
    };
  }
  if (read.size === 'not a file') return { problem: new StatuspostError(rules.code, 'not a regular file, so it cannot be read as text', { at, hint: 'move it out of the folder' }) };
  if (read.size !== undefined) return { problem: tooLarge(read.size === 'grew' ? `more than ${formatSize(rules.maxBytes)}` : formatSize(read.size), rules, at) };
  return decodeUtf8(read.bytes, file, rules.code);
}

/**
 * The file's bytes, or its size when over `maxBytes` (checked by fstat before reading, and again by
 * reading one byte more: a file that grows meanwhile is still caught). Node's callback API: reading
 * thousands of posts through FileHandle promises took twice as long.
 */
function readBounded(path: string, maxBytes: number): Promise<{ bytes: Uint8Array } | { size: number | 'grew' | 'not a file' }> {
  return new Promise((resolve, reject) => {
    // O_NONBLOCK: a FIFO named like a post must not hang the loader until a writer comes.
    fsOpen(path, constants.O_RDONLY | constants.O_NONBLOCK, (openError, fd) => {
      if (openError) return reject(openError);
      const done = (error: Error | null, outcome?: { bytes: Uint8Array } | { size: number | 'grew' | 'not a file' }) =>
        fsClose(fd, () => (error ? reject(error) : resolve(outcome!)));
      fsFstat(fd, (statError, info) => {
        if (statError) return done(statError);
        if (!info.isFile()) return done(null, { size: 'not a file' });
        if (info.size > maxBytes) return done(null, { size: info.size });
        let buffer: Buffer;
        let length = 0;
        const readAll = (capacity: number) => {
          buffer = Buffer.allocUnsafe(capacity);
          length = 0;
          more();
        };
        const more = (): void =>
          fsRead(fd, buffer, length, buffer.length - length, length, (readError, bytesRead) => {
            if (readError) return done(readError);
            length += bytesRead;
            if (bytesRead === 0) return done(null, { bytes: buffer.subarray(0, length) });
            if (length < buffer.length) return more();
            // The buffer is full, so the file grew after the fstat: past the limit, or read it again up to it.
            if (buffer.length > maxBytes) return done(null, { size: 'grew' });
            readAll(maxBytes + 1);
          });
        readAll(info.size + 1);
      });
    });
  });
}

function tooLarge(size: string, rules: ReadRules, at: { file: string; line: number; column: number }): StatuspostError {
  return new StatuspostError(rules.code, `the file is ${size}; ${rules.what} may be at most ${formatSize(rules.maxBytes)}`, { at, hint: rules.sizeHint });
}

const READ_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'it does not exist, or is a link to nothing',
  EISDIR: 'it is a folder',
  ELOOP: 'too many symbolic links',
  EIO: 'an input/output error',
  EMFILE: 'too many open files',
};

export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return 'an unknown error';
  return `${READ_ERRORS[code] ?? 'an error'} (${code})`;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** The text, or a problem at the first byte that is not UTF-8 (never U+FFFD in its place). */
export function decodeUtf8(bytes: Uint8Array, file: string, code: ErrorCode): ReadOutcome {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    // fatal: true throws a TypeError without a position; find the byte ourselves, below.
  }
  const offset = invalidUtf8Offset(bytes);
  const before = lenient.decode(bytes.subarray(0, Math.max(offset, 0)));
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const byte = bytes[offset] ?? 0;
  return {
    problem: new StatuspostError(code, `the file is not valid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} here is not part of a character`, {
      at: { file, line, column: before.length - lineStart + 1 },
      hint: 'save the file as UTF-8; statuspost publishes no text it cannot read',
    }),
  };
}

/**
 * Offset of the first byte that starts no well-formed UTF-8 sequence (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing past U+10FFFF, no truncated sequence), or -1.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let trailing: number;
    if (lead >= 0xc2 && lead <= 0xdf) trailing = 1;
    else if (lead >= 0xe0 && lead <= 0xef) trailing = 2;
    else if (lead >= 0xf0 && lead <= 0xf4) trailing = 3;
    else return i;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= trailing; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += trailing + 1;
  }
  return -1;
}
