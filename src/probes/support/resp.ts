// The few bytes of RESP2 (the Redis protocol) the redis probe needs: a command encoder and a reply
// parser that works on whatever has arrived so far. Both are bounded, because the other end may be
// a broken or hostile server: declared lengths are checked before anything waits for them.

export type Reply =
  | { type: 'simple'; text: string }
  | { type: 'error'; text: string }
  | { type: 'integer'; value: number }
  | { type: 'bulk'; text: string | null }
  | { type: 'array'; items: Reply[] | null };

export type ParseOutcome =
  | { type: 'reply'; reply: Reply; next: number }
  /** Not all of the reply has arrived yet. */
  | { type: 'incomplete' }
  /** The reply declares more bytes (or elements) than the caller allows. */
  | { type: 'too-large' }
  | { type: 'invalid' };

export interface ReplyLimits {
  maxBytes: number;
  maxItems: number;
  maxDepth: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = { maxBytes: 1024 * 1024, maxItems: 1024, maxDepth: 4 };

/** A command as RESP2 sends it: an array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at `offset`. Never throws. */
export function parseReply(buffer: Buffer, offset = 0, limits: ReplyLimits = DEFAULT_REPLY_LIMITS): ParseOutcome {
  return parseAt(buffer, offset, limits, 0);
}

const INTEGER = /^-?\d{1,18}$/;

function parseAt(buffer: Buffer, offset: number, limits: ReplyLimits, depth: number): ParseOutcome {
  if (offset >= buffer.length) return { type: 'incomplete' };
  const lineEnd = buffer.indexOf('\r\n', offset + 1);
  if (lineEnd === -1) return lineOutgrown(buffer, offset, limits);
  const marker = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (marker) {
    case '+':
      return { type: 'reply', reply: { type: 'simple', text: line }, next };
    case '-':
      return { type: 'reply', reply: { type: 'error', text: line }, next };
    case ':':
      return INTEGER.test(line) ? { type: 'reply', reply: { type: 'integer', value: Number(line) }, next } : { type: 'invalid' };
    case '$':
      return parseBulk(buffer, line, next, limits);
    case '*':
      return parseArray(buffer, line, next, limits, depth);
    default:
      return { type: 'invalid' };
  }
}

/** No line end yet: wait for more, unless the line is already past any sane size or is not RESP at all. */
function lineOutgrown(buffer: Buffer, offset: number, limits: ReplyLimits): ParseOutcome {
  if (!'+-:$*'.includes(String.fromCharCode(buffer[offset]!))) return { type: 'invalid' };
  return buffer.length - offset > limits.maxBytes ? { type: 'too-large' } : { type: 'incomplete' };
}

function parseBulk(buffer: Buffer, line: string, start: number, limits: ReplyLimits): ParseOutcome {
  if (line === '-1') return { type: 'reply', reply: { type: 'bulk', text: null }, next: start };
  if (!INTEGER.test(line) || line.startsWith('-')) return { type: 'invalid' };
  const length = Number(line);
  if (length > limits.maxBytes) return { type: 'too-large' };
  const end = start + length;
  if (buffer.length < end + 2) return { type: 'incomplete' };
  if (buffer[end] !== 0x0d || buffer[end + 1] !== 0x0a) return { type: 'invalid' };
  return { type: 'reply', reply: { type: 'bulk', text: buffer.toString('utf8', start, end) }, next: end + 2 };
}

function parseArray(buffer: Buffer, line: string, start: number, limits: ReplyLimits, depth: number): ParseOutcome {
  if (line === '-1') return { type: 'reply', reply: { type: 'array', items: null }, next: start };
  if (!INTEGER.test(line) || line.startsWith('-')) return { type: 'invalid' };
  const count = Number(line);
  if (count > limits.maxItems || depth >= limits.maxDepth) return { type: 'too-large' };
  const items: Reply[] = [];
  let next = start;
  for (let index = 0; index < count; index++) {
    const outcome = parseAt(buffer, next, limits, depth + 1);
    if (outcome.type !== 'reply') return outcome;
    items.push(outcome.reply);
    next = outcome.next;
  }
  return { type: 'reply', reply: { type: 'array', items }, next };
}
