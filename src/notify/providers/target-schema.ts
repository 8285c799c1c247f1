// Schema pieces shared by the HTTP providers' targets (probes/notify.yaml after ${ENV} expansion).
import { z } from 'zod/v4';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/; // RFC 9110 token: header names

/** An http(s) URL without user:password@ (credentials go in a header or their own key). */
export const httpUrlSchema = z.string().refine(
  (text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  },
  { error: 'must be an http:// or https:// URL without user:password@ (credentials go in a header or their own key)' },
);

/** Extra request headers (an Authorization for a gateway); values are private. */
export const headersSchema = z.record(
  z.string().regex(TOKEN, { error: 'must be a header name' }),
  z.string().regex(/^[^\r\n]*$/, { error: 'must be one line' }),
);

/** Headers every provider sends. */
export const baseHeaders = (idempotencyKey: string): Record<string, string> => ({
  'content-type': 'application/json',
  'user-agent': 'statuspost-notify/1',
  'idempotency-key': idempotencyKey,
});
