// Signed tokens for the links in subscription mails: "<purpose>.<id>.<expires>.<signature>", where
// the signature is HMAC-SHA256 with subscriptions.email.secret over purpose, id and expiry, in
// base64url. Nothing is stored: a token proves itself. A confirmation token expires (the
// configured confirmWithinMs); an unsubscribe token never does (expires 0), since a link in an old
// mail must still work and the worst a copied one can do is unsubscribe its own reader.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'confirm' | 'unsubscribe';

/** The id of a self-service email subscriber: "email:" and the SHA-256 of the lower-cased address. */
export const emailSubscriberId = (address: string) => `email:${createHash('sha256').update(address.trim().toLowerCase()).digest('hex')}`;

const signature = (secret: string, purpose: TokenPurpose, id: string, expires: number) =>
  createHmac('sha256', secret).update(`statuspost-subscription\n${purpose}\n${id}\n${expires}`).digest('base64url');

/** `expires`: epoch ms, or 0 for never. */
export function signToken(secret: string, purpose: TokenPurpose, id: string, expires: number): string {
  return `${purpose}.${id}.${expires}.${signature(secret, purpose, id, expires)}`;
}

export type TokenCheck = { ok: true; id: string } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** Pure: whether a token is one this secret signed, for this purpose, and unexpired at `now`. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string, now: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 4 || token.length > 512) return { ok: false, reason: 'malformed' };
  const [tokenPurpose, id, expiresText, given] = parts as [string, string, string, string];
  if (!/^\d{1,16}$/.test(expiresText) || !/^[a-z]+:[\w-]{1,200}$/.test(id)) return { ok: false, reason: 'malformed' };
  const expires = Number(expiresText);
  const expected = Buffer.from(signature(secret, purpose, id, expires));
  const actual = Buffer.from(given);
  // The purpose is inside the signature: a token signed for another purpose fails here too.
  if (tokenPurpose !== purpose || actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'forged' };
  if (expires !== 0 && now >= expires) return { ok: false, reason: 'expired' };
  return { ok: true, id };
}
