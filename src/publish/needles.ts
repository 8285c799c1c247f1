// What the leak scan looks for, derived from each private value: the value itself and, for a URL, the
// parts a person would recognise on their own (its host, its password, a token in its query), each in
// its normalised spelling and in base64.
import { domainToUnicode } from 'node:url';
import { normaliseText } from './normalise.ts';

export type LeakPart = 'value' | 'host' | 'user' | 'password' | 'query value' | 'path segment' | 'word';

export interface Needle {
  /** Which private value it comes from, by position in the list (the value itself is never printed). */
  valueIndex: number;
  part: LeakPart;
  /** The part as configured (decoded from its URL), to tell afterwards how a found copy was written. */
  raw: string;
  /** What is searched for, in `normaliseText`'s spelling. */
  text: string;
  base64: boolean;
}

/** Shorter values (a port, `on`) would match everywhere and prove nothing. The config's floor too. */
export const MIN_LENGTH = 4;
/** Base64 shorter than this (48 bits) would match asset hashes and other random text by chance. */
export const MIN_BASE64_LENGTH = 8;

export function needlesOf(value: string, valueIndex: number): Needle[] {
  const needles: Needle[] = [];
  const seen = new Set<string>();
  const add = (part: LeakPart, raw: string, text: string, base64: boolean) => {
    if (text.trim().length < (base64 ? MIN_BASE64_LENGTH : MIN_LENGTH) || seen.has(text)) return;
    seen.add(text);
    needles.push({ valueIndex, part, raw, text, base64 });
  };
  for (const { part, raw } of partsOf(value)) {
    if (raw.trim().length < MIN_LENGTH) continue;
    add(part, raw, normaliseText(raw), false);
    // Form encoding (URLSearchParams, HTML forms) writes a space as `+`; percent-decoding keeps the `+`.
    if (raw.includes(' ')) add(part, raw, normaliseText(raw.replaceAll(' ', '+')), false);
    // Base64 is case-sensitive, but 8 folded characters still leave ~41 bits: no chance matches.
    for (const core of base64Cores(raw)) add(part, raw, core.toLowerCase(), true);
  }
  return needles;
}

/**
 * The value, and for a URL the parts that give something away alone. Host and password always (the
 * host is an internal address, the password is the secret). User names, query values and path segments
 * only when they look like credentials: most are vocabulary (`postgres`, `chat`, `format=json`,
 * `/health`) that posts must be able to say, and a URL spelled out whole is caught by its host anyway.
 * A query value under a key that names a credential (`?token=`, `?api_key=`) counts whatever it looks like.
 */
export function partsOf(value: string): Array<{ part: LeakPart; raw: string }> {
  const parts: Array<{ part: LeakPart; raw: string }> = [{ part: 'value', raw: value }];
  const url = parseUrl(value.trim());
  if (url === undefined) {
    // A header value such as `Bearer <token>`: the token alone is the secret.
    const words = value.trim().split(/\s+/);
    if (words.length > 1) for (const word of words.filter(looksLikeCredential)) parts.push({ part: 'word', raw: word });
    return parts;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host !== '' && host.toLowerCase() !== 'localhost') {
    parts.push({ part: 'host', raw: host });
    const unicode = domainToUnicode(host);
    if (unicode !== '' && unicode !== host.toLowerCase()) parts.push({ part: 'host', raw: unicode });
  }
  const user = decodeComponent(url.username);
  if (looksLikeCredential(user)) parts.push({ part: 'user', raw: user });
  const password = decodeComponent(url.password);
  if (password !== '') parts.push({ part: 'password', raw: password });
  for (const [key, query] of [...url.searchParams, ...new URLSearchParams(url.hash.slice(1))]) {
    if (CREDENTIAL_KEY.test(key) || looksLikeCredential(query)) parts.push({ part: 'query value', raw: query });
  }
  for (const segment of url.pathname.split('/').map(decodeComponent)) {
    if (looksLikeCredential(segment)) parts.push({ part: 'path segment', raw: segment });
  }
  return parts;
}

const CREDENTIAL_KEY = /pass|pwd|secret|token|key|auth|sig|session|cred/i;

/** Tokens, keys and generated names mix letters and digits; words and paths people write mostly do not. */
export function looksLikeCredential(text: string): boolean {
  return text.length >= 8 && /[a-z]/i.test(text) && /\d/.test(text);
}

/**
 * The base64 characters that depend on the value alone, for each of the three byte alignments it can
 * have inside a longer encoding (`user:password` in a Basic header), standard and url-safe.
 */
export function base64Cores(raw: string): string[] {
  const bytes = Buffer.from(raw);
  const cores = new Set<string>();
  for (const skip of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(skip), bytes]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * skip) / 6), Math.floor((8 * (skip + bytes.length)) / 6));
    if (core.length < MIN_BASE64_LENGTH) continue;
    cores.add(core);
    cores.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...cores];
}

function parseUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined; // not a URL after all: the value itself is already a needle
  }
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray `%`: the text as written is what could be copied
  }
}
