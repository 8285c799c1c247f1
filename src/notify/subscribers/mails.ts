// The mails of self-service subscription (confirm, already subscribed) and the unsubscribe link every
// mail to a subscriber carries, with the List-Unsubscribe and List-Unsubscribe-Post headers of RFC
// 8058 (one click, which large mail providers require of bulk senders). Pure: links are signed here.
import type { RenderedRequest } from '../types.ts';
import { signToken } from './token.ts';

export type MailRequest = Extract<RenderedRequest, { type: 'mail' }>;

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** The one-click unsubscribe address of a subscriber (its token never expires). */
export const unsubscribeUrl = (baseUrl: string, secret: string, subscriberId: string) =>
  new URL(`unsubscribe?token=${encodeURIComponent(signToken(secret, 'unsubscribe', subscriberId, 0))}`, withSlash(baseUrl)).href;

export const confirmUrl = (baseUrl: string, secret: string, subscriberId: string, expires: number) =>
  new URL(`subscribe/confirm?token=${encodeURIComponent(signToken(secret, 'confirm', subscriberId, expires))}`, withSlash(baseUrl)).href;

/** RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link. */
export const listUnsubscribeHeaders = (url: string): Record<string, string> => ({
  'List-Unsubscribe': `<${url}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

export interface SubscriptionMailInput {
  site: { title: string; baseUrl: string };
  from: string;
  to: string;
  subscriberId: string;
  secret: string;
  /** Names of the components chosen; empty: all. */
  components: string[];
}

const footer = (unsubscribe: string) => ['', '--', `Unsubscribe with one click: ${unsubscribe}`];
const scope = (components: string[]) => (components.length === 0 ? 'every incident and maintenance' : `incidents and maintenance affecting ${components.join(', ')}`);

export function confirmationMail(input: SubscriptionMailInput & { expires: number }): MailRequest {
  const confirm = confirmUrl(input.site.baseUrl, input.secret, input.subscriberId, input.expires);
  const unsubscribe = unsubscribeUrl(input.site.baseUrl, input.secret, input.subscriberId);
  const text = [
    `Someone, probably you, asked to get email from ${input.site.title} about ${scope(input.components)}.`,
    '',
    `To confirm, open this link before ${new Date(input.expires).toUTCString()}:`,
    confirm,
    '',
    'If it was not you, ignore this mail: nothing is sent to this address unless the link is opened.',
    ...footer(unsubscribe),
  ].join('\n');
  return { type: 'mail', from: input.from, to: [input.to], subject: `Confirm your subscription to ${input.site.title}`, text, headers: listUnsubscribeHeaders(unsubscribe) };
}

/** Sent instead of a confirmation when the address is already confirmed: the form answers the same either way. */
export function alreadySubscribedMail(input: SubscriptionMailInput): MailRequest {
  const unsubscribe = unsubscribeUrl(input.site.baseUrl, input.secret, input.subscriberId);
  const text = [
    `Someone, probably you, asked to subscribe this address to ${input.site.title}. It is subscribed already, and nothing was changed.`,
    '',
    'If you no longer want these mails, use the link below.',
    ...footer(unsubscribe),
  ].join('\n');
  return { type: 'mail', from: input.from, to: [input.to], subject: `You are subscribed to ${input.site.title}`, text, headers: listUnsubscribeHeaders(unsubscribe) };
}
