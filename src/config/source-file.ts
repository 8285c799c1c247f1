// Reads one text file of probes/ or content/ for validation. A file that cannot be read, is too
// large or is not UTF-8 is a problem at its position, never a throw: the same file:line:column line
// as any other mistake, and nothing read past the limit.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
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
  let bytes: Uint8Array;
  try {
    // O_NONBLOCK: a FIFO named like a post must not hang the loader until a writer comes.
    const handle = await open(join(root, file), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) return { problem: new StatuspostError(rules.code, 'not a regular file, so it cannot be read as text', { at, hint: 'move it out of the folder' }) };
      if (info.size > rules.maxBytes) return { problem: tooLarge(formatSize(info.size), rules, at) };
      // Read at most one byte more than the limit: a file that grows after the stat is still caught.
      const buffer = Buffer.alloc(Math.min(info.size, rules.maxBytes) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0 || (length += bytesRead) === buffer.length) break;
      }
      if (length > rules.maxBytes) return { problem: tooLarge(`more than ${formatSize(rules.maxBytes)}`, rules, at) };
      bytes = buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return {
      errno: (error as NodeJS.ErrnoException).code ?? 'EIO',
      problem: new StatuspostError(rules.code, `cannot read the file: ${describeReadError(error)}`, {
        at,
        hint: 'make it readable by the user statuspost runs as (e.g. chmod a+r), or move it out of the folder',
      }),
    };
  }
  return decodeUtf8(bytes, file, rules.code);
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
