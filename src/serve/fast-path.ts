// The fast path of `statuspost serve`: GET and HEAD of files already in memory, answered straight
// from the connection's bytes with one prebuilt buffer, without Node's HTTP parser and response
// objects (about two thirds of what a cached answer cost: bench/README.md, "serve").
// - It answers only what it fully understands: a complete request head, in the bytes read so far,
//   of `GET` or `HEAD`, an origin-form target, HTTP/1.0 or 1.1, printable ASCII only, well-formed
//   header lines, a Host for 1.1, no body (no Content-Length, Transfer-Encoding, Expect or Upgrade),
//   at most one of each header it reads, for a path the server has resolved before to a file held
//   in memory. Anything else (and a head cut across two reads) hands the connection, with every byte
//   not yet answered, to Node's own HTTP server, which keeps it from then on: every odd case is
//   Node's, as before.
// - Answers go out in request order (pipelined requests too: the ones handed over are answered by
//   Node after the ones written here), with Node's own Date, Connection and Keep-Alive headers:
//   HTTP/1.1 keeps the connection unless the request says `close`; 1.0 closes it unless it says
//   `keep-alive`. After a `close` answer the connection ends and nothing more is read.
// - When the client stops reading (the socket's buffer past its high-water mark), the connection is
//   handed over too, so Node's back-pressure applies: what a client can queue here is bounded.
import type { Socket } from 'node:net';

export interface RequestHead {
  method: 'GET' | 'HEAD';
  /** The request target as sent (the key of the server's path cache, as `req.url` is). */
  url: string;
  /** What the request asks for: whether the answer keeps the connection also depends on it (`bytesOf`). */
  keepAlive: boolean;
  http11: boolean;
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
  ifModifiedSince: string | undefined;
  /** Where the next request starts. */
  end: number;
}

/** Longer heads go to Node (which answers 431 past its own limit, 16 KiB). */
export const MAX_HEAD_BYTES = 8_192;

const CRLF2 = Buffer.from('\r\n\r\n');
/** tchar (RFC 9110 §5.6.2): the characters of a header name. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;
/** Visible ASCII (a target's characters, and a value's besides space and tab). */
const visible = (c: number) => c > 0x20 && c < 0x7f;

/**
 * The request whose head starts at `start`: 'partial' when its head is not all here yet, 'other'
 * when it is anything the fast path does not answer (Node's parser then reads it). A scan by
 * character codes, no regular expressions: a first version with them cost 7 µs a request, a third
 * of what the whole answer now costs.
 */
export function parseRequestHead(buf: Buffer, start: number): RequestHead | 'partial' | 'other' {
  const stop = buf.indexOf(CRLF2, start);
  if (stop === -1) return buf.length - start > MAX_HEAD_BYTES ? 'other' : 'partial';
  if (stop - start > MAX_HEAD_BYTES) return 'other';
  const head = buf.toString('latin1', start, stop + 2); // every line, the last one too, ends in CRLF
  // The request line: GET or HEAD, an origin-form target, HTTP/1.0 or 1.1.
  let method: 'GET' | 'HEAD';
  let at: number;
  if (head.startsWith('GET /')) {
    method = 'GET';
    at = 4;
  } else if (head.startsWith('HEAD /')) {
    method = 'HEAD';
    at = 5;
  } else return 'other';
  const lineEnd = head.indexOf('\r\n');
  const space = lineEnd - 9; // before "HTTP/1.x"
  if (space <= at || head.charCodeAt(space) !== 0x20 || !head.startsWith('HTTP/1.', space + 1)) return 'other';
  const minor = head.charCodeAt(lineEnd - 1);
  if (minor !== 0x30 && minor !== 0x31) return 'other';
  const http11 = minor === 0x31;
  for (let i = at; i < space; i++) if (!visible(head.charCodeAt(i))) return 'other';
  const url = head.slice(at, space);
  let host: string | undefined;
  let connection: string | undefined;
  let acceptEncoding: string | undefined;
  let ifNoneMatch: string | undefined;
  let ifModifiedSince: string | undefined;
  let line = lineEnd + 2;
  while (line < head.length) {
    const end = head.indexOf('\r\n', line);
    // The name: tchars up to the colon (a folded line starts with white space: not a tchar).
    let colon = line;
    for (let c = head.charCodeAt(colon); c !== 0x3a; c = head.charCodeAt(++colon)) if (colon >= end || !(c < 128 && TOKEN[c])) return 'other';
    if (colon === line) return 'other';
    // The value: visible characters, spaces and tabs (no CR, LF or other control), trimmed.
    let from = colon + 1;
    let to = end;
    for (let i = from; i < to; i++) {
      const c = head.charCodeAt(i);
      if (!visible(c) && c !== 0x20 && c !== 0x09) return 'other';
    }
    while (from < to && (head.charCodeAt(from) === 0x20 || head.charCodeAt(from) === 0x09)) from++;
    while (to > from && (head.charCodeAt(to - 1) === 0x20 || head.charCodeAt(to - 1) === 0x09)) to--;
    const length = colon - line;
    // Only names of the lengths read here are compared (and lowercased).
    if (length === 4 || length === 6 || length === 10 || length === 13 || length === 14 || length === 15 || length === 17) {
      switch (head.slice(line, colon).toLowerCase()) {
        case 'host':
          if (host !== undefined) return 'other';
          host = head.slice(from, to);
          break;
        case 'connection':
          if (connection !== undefined) return 'other';
          connection = head.slice(from, to);
          break;
        case 'accept-encoding':
          if (acceptEncoding !== undefined) return 'other';
          acceptEncoding = head.slice(from, to);
          break;
        case 'if-none-match':
          if (ifNoneMatch !== undefined) return 'other';
          ifNoneMatch = head.slice(from, to);
          break;
        case 'if-modified-since':
          if (ifModifiedSince !== undefined) return 'other';
          ifModifiedSince = head.slice(from, to);
          break;
        case 'content-length':
        case 'transfer-encoding':
        case 'expect':
          return 'other';
        default:
      }
    } else if (length === 7 && head.slice(line, colon).toLowerCase() === 'upgrade') return 'other';
    line = end + 2;
  }
  if (http11 && host === undefined) return 'other'; // Node answers 400
  // As Node's parser decides (llhttp_should_keep_alive): 1.1 keeps unless `close`, 1.0 only with `keep-alive`.
  let close = false;
  let keep = false;
  if (connection !== undefined) {
    for (const token of connection.toLowerCase().split(',')) {
      const word = token.trim();
      if (word === 'close') close = true;
      else if (word === 'keep-alive') keep = true;
      else if (word !== '') return 'other'; // upgrade and the like
    }
  }
  if (close && keep) return 'other';
  const keepAlive = http11 ? !close : keep;
  return { method, url, keepAlive, http11, acceptEncoding, ifNoneMatch, ifModifiedSince, end: stop + 4 };
}

/** An answer the fast path can send: the status line and headers (no Date, no Connection), and the body. */
export interface PrebuiltAnswer {
  /** "HTTP/1.1 200 OK\r\n" and the header lines, each ending in CRLF. */
  head: string;
  body: Buffer | undefined;
  /** Whether the head has a Content-Length: without one Node closes an HTTP/1.0 keep-alive connection after it (a 304). */
  lengthKnown: boolean;
  /**
   * The whole keep-alive answer for this second (built on first use): a second copy of the body,
   * which the cache counts (entry.ts). A close answer, one per connection at most, is built each time.
   */
  second: number;
  keepAlive: Buffer | undefined;
  /** Bytes of keepAlive that are the head. */
  keepAliveHead: number;
}

/** An answer from its status line ("200 OK") and a raw header list (as writeHead takes it), for the fast path. */
export function prebuiltAnswer(status: string, headers: readonly string[], body: Buffer | undefined): PrebuiltAnswer {
  let head = `HTTP/1.1 ${status}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  const lengthKnown = headers.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'content-length');
  return { head, body, lengthKnown, second: -1, keepAlive: undefined, keepAliveHead: 0 };
}

let dateSecond = -1;
let dateLine = '';

/** The answer's bytes for now; `headOnly` for HEAD. Rebuilt once a second (the Date header). */
function bytesOf(answer: PrebuiltAnswer, keepAlive: boolean, keepAliveLine: string, headOnly: boolean): Buffer {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
  }
  if (!keepAlive) {
    const head = Buffer.from(`${answer.head}${dateLine}Connection: close\r\n\r\n`, 'latin1');
    return headOnly || !answer.body ? head : Buffer.concat([head, answer.body]);
  }
  if (answer.second !== second || !answer.keepAlive) {
    const head = Buffer.from(`${answer.head}${dateLine}Connection: keep-alive\r\n${keepAliveLine}\r\n`, 'latin1');
    answer.second = second;
    answer.keepAlive = answer.body ? Buffer.concat([head, answer.body]) : head;
    answer.keepAliveHead = head.length;
  }
  return headOnly ? answer.keepAlive.subarray(0, answer.keepAliveHead) : answer.keepAlive;
}

export interface FastPathOptions {
  /** Seconds announced in Keep-Alive (Node announces floor(keepAliveTimeout / 1000)). */
  keepAliveSeconds: number;
  /**
   * The answer to a parsed request, or undefined to hand the connection to Node from this request
   * on. Called in order, one request at a time.
   */
  answer(request: RequestHead, socket: Socket): PrebuiltAnswer | undefined;
  /** Node's own connection listener: takes the socket from here on. */
  handOver(socket: Socket): void;
}

/** Open fast-path connections (not yet handed over), for closing them all at once. */
export type FastConnections = Set<Socket>;

/**
 * Serves `socket` on the fast path until a request needs Node; the caller has already set its
 * idle timeout (connections.ts), which here closes it.
 */
export function serveFast(socket: Socket, open: FastConnections, options: FastPathOptions): void {
  const keepAliveLine = `Keep-Alive: timeout=${options.keepAliveSeconds}\r\n`;
  open.add(socket);
  const onTimeout = () => socket.destroy();
  const onError = () => socket.destroy();
  const onEnd = () => socket.end(); // the client is done sending: finish what is queued, then close
  const onClose = () => open.delete(socket);
  const handOver = (rest: Buffer | undefined) => {
    socket.removeListener('data', onData);
    socket.removeListener('timeout', onTimeout);
    socket.removeListener('error', onError);
    socket.removeListener('end', onEnd);
    socket.removeListener('close', onClose);
    open.delete(socket);
    options.handOver(socket);
    // Node's listener reads the socket from now on; the bytes already read are its first.
    if (rest && rest.length > 0) socket.emit('data', rest);
  };
  const onData = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (socket.writableNeedDrain) return handOver(chunk.subarray(at));
      const request = parseRequestHead(chunk, at);
      if (request === 'partial' || request === 'other') return handOver(chunk.subarray(at));
      const answer = options.answer(request, socket);
      if (!answer) return handOver(chunk.subarray(at));
      const keepAlive = request.keepAlive && (request.http11 || answer.lengthKnown);
      socket.write(bytesOf(answer, keepAlive, keepAliveLine, request.method === 'HEAD'));
      if (!keepAlive) {
        socket.removeListener('data', onData); // nothing after a close is answered
        socket.end();
        return;
      }
      at = request.end;
    }
  };
  socket.on('data', onData);
  socket.on('timeout', onTimeout);
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.on('close', onClose);
}
