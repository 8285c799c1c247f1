// A probe reads a bounded amount of any answer: a misbehaving server must not make us buffer
// megabytes, nor keep us reading a body that never ends once we have what we need.
import type { Readable } from 'node:stream';

export interface BoundedBody {
  /** At most `limit` bytes: the start of the body. */
  bytes: Buffer;
  /** The body had more than `limit` bytes; we stopped reading and destroyed the stream. */
  truncated: boolean;
}

/**
 * Reads up to `limit` bytes, then destroys the stream (closing the connection under it) if more
 * is coming. `declaredLength` (Content-Length) lets an exact-limit read stop without waiting for
 * one more chunk to prove the body is longer. Rejects with the stream's error.
 */
export async function readBounded(stream: Readable, limit: number, declaredLength?: number): Promise<BoundedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  if (declaredLength !== undefined && declaredLength > limit) truncated = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = limit - kept;
      if (buffer.length > room) {
        if (room > 0) chunks.push(buffer.subarray(0, room));
        kept = limit;
        truncated = true;
        break; // leaving for-await destroys the stream
      }
      chunks.push(buffer);
      kept += buffer.length;
      if (kept === limit && truncated) break;
    }
  } finally {
    if (!stream.destroyed && truncated) stream.destroy();
  }
  return { bytes: Buffer.concat(chunks, kept), truncated };
}
