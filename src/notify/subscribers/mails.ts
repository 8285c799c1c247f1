// The mails of self-service subscription (confirm, already subscribed) and the unsubscribe link every
// mail to a subscriber carries, with the List-Unsubscribe and List-Unsubscribe-Post headers of RFC
// 8058 (one click, which large mail providers require of bulk senders). Pure: links are signed here.
import type { Language } from '../../i18n/languages.ts';
import { words, type Words } from '../../i18n/messages.ts';
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
  /** The site's language (site.yaml `language:`); English without it. */
  language?: Language;
}

const footer = (w: Words, unsubscribe: string) => ['', '--', w.t('mail.unsubscribeFooter', { url: unsubscribe })];
/** What a subscriber hears about, in words: everything, or what touches the components named. */
export const scopeWords = (w: Words, components: readonly string[]) =>
  components.length === 0 ? w.t('signup.scopeAll') : w.t('signup.scopeSome', { components: components.join(', ') });

export function confirmationMail(input: SubscriptionMailInput & { expires: number }): MailRequest {
  const confirm = confirmUrl(input.site.baseUrl, input.secret, input.subscriberId, input.expires);
  const unsubscribe = unsubscribeUrl(input.site.baseUrl, input.secret, input.subscriberId);
  const w = words(input.language);
  const text = [
    w.t('mail.confirmAsked', { site: input.site.title, scope: scopeWords(w, input.components) }),
    '',
    w.t('mail.confirmBefore', { time: w.feedTime(input.expires) }),
    confirm,
    '',
    w.t('mail.notYou'),
    ...footer(w, unsubscribe),
  ].join('\n');
  return { type: 'mail', from: input.from, to: [input.to], subject: w.t('mail.confirmSubject', { site: input.site.title }), text, headers: listUnsubscribeHeaders(unsubscribe) };
}

/** Sent instead of a confirmation when the address is already confirmed: the form answers the same either way. */
export function alreadySubscribedMail(input: SubscriptionMailInput): MailRequest {
  const unsubscribe = unsubscribeUrl(input.site.baseUrl, input.secret, input.subscriberId);
  const w = words(input.language);
  const text = [w.t('mail.alreadyText', { site: input.site.title }), '', w.t('mail.noLonger'), ...footer(w, unsubscribe)].join('\n');
  return { type: 'mail', from: input.from, to: [input.to], subject: w.t('mail.alreadySubject', { site: input.site.title }), text, headers: listUnsubscribeHeaders(unsubscribe) };
}
