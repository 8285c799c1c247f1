// Node's error messages carry addresses ("connect ECONNREFUSED 10.0.0.5:6379"); results are published,
// so errors become short fixed phrases chosen by code, never the original text.

const PHRASES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed temporarily',
  EAI_FAIL: 'host name lookup failed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers before the deadline',
  UND_ERR_BODY_TIMEOUT: 'response body stalled before the deadline',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'response length did not match Content-Length',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response length did not match Content-Length',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'response larger than allowed',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  UND_ERR_INFO: 'connection closed',
  UND_ERR_DESTROYED: 'connection closed',
  UND_ERR_ABORT: 'stopped before an answer',
  UND_ERR_ABORTED: 'stopped before an answer',
  UND_ERR_INVALID_ARG: 'request refused by the HTTP client as invalid',
  UND_ERR_NOT_SUPPORTED: 'request not supported by the HTTP client',
  UND_ERR_RESPONSE: 'unexpected response',
  UND_ERR_REQ_RETRY: 'request failed after retries',
  UND_ERR_PRX_TLS: 'TLS connection to the proxy failed',
  UND_ERR_SOCKS5: 'proxy connection failed',
  UND_ERR_WS_MESSAGE_SIZE_EXCEEDED: 'message larger than allowed',
  HPE_INVALID_CONSTANT: 'malformed HTTP response',
  HPE_INVALID_STATUS: 'malformed HTTP status line',
  HPE_INVALID_HEADER_TOKEN: 'malformed HTTP header',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate chain ends in an untrusted root',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate issuer is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is for another host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'server did not speak TLS',
  EPROTO: 'protocol error during the handshake',
  ABORT_ERR: 'stopped before an answer',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'path does not exist',
  ENOTDIR: 'path is not a folder',
  ESTALE: 'stale file handle (the share was remounted or lost)',
  EIO: 'input/output error',
};

// Codes no one should meet from a probe (our own misuse of undici, features we do not use) still
// get a phrase by family rather than a raw code: 'UND_ERR_MAX_ORIGINS_REACHED' means nothing to a
// reader of a status page.
const FAMILIES: Array<[RegExp, string]> = [
  [/^HPE_/, 'malformed HTTP response'],
  [/^UND_ERR/, 'HTTP client error'],
];
const isKnown = (code: string) => code in PHRASES || FAMILIES.some(([family]) => family.test(code));

/** The error's code, looking through `cause` chains (undici wraps socket errors). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && isKnown(code)) return code;
    if (name === 'AbortError' || name === 'TimeoutError') return 'ABORT_ERR';
    // undici 7 looks llhttp's error name up by number in a map keyed by name, so its parser errors
    // carry no code at all: the class is all there is to go on.
    if (name === 'HTTPParserError') return 'HPE_INVALID';
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short phrase that is safe to publish: no address, no path, no secret. */
export function describeNetError(error: unknown): string {
  const code = errorCode(error);
  if (code && code in PHRASES) return PHRASES[code]!;
  const family = code === undefined ? undefined : FAMILIES.find(([pattern]) => pattern.test(code));
  if (family) return family[1];
  return code && /^[A-Z0-9_]+$/.test(code) ? `failed (${code})` : 'failed';
}
