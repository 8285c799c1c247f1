// The site's fixed text in one language: `words(language)` gives the messages (t, plural) and the
// formats (times, months, numbers, percentages) the pages and feeds use, all from Intl in that
// language's locale. Post text is never translated: it is published in the language it was written in.
import type { ComponentStatus } from '../posts/types.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { DEFAULT_LANGUAGE, LANGUAGE_INFO, type Language } from './languages.ts';

/** A message with plural forms, named as Intl.PluralRules names them; `other` is always there. */
export type Plural = { zero?: string; one?: string; two?: string; few?: string; many?: string; other: string };

type English = typeof en;
/** What every language's file must give: each English key, as a string or as plural forms. */
export type Messages = { [K in keyof English]: English[K] extends string ? string : Plural };
export type MessageKey = keyof English;
export type TextKey = { [K in MessageKey]: English[K] extends string ? K : never }[MessageKey];
export type PluralKey = Exclude<MessageKey, TextKey>;

/** The `{name}`s of a message, from its English text, so a call that forgets one does not compile. */
type Placeholders<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
type Params<P extends string> = [P] extends [never] ? [] : [params: Record<P, string | number>];
type TextParams<K extends TextKey> = Params<Placeholders<English[K]>>;
type PluralParams<K extends PluralKey> = Params<Exclude<Placeholders<English[K] extends Plural ? English[K][keyof English[K]] : never>, 'count'>>;

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, de };

export interface Words {
  /** The language's code: `<html lang>`, the RSS feed's language. */
  language: Language;
  /** The BCP 47 tag Intl formats with ("de-DE"). */
  locale: string;
  t<K extends TextKey>(key: K, ...params: TextParams<K>): string;
  plural<K extends PluralKey>(key: K, count: number, ...params: PluralParams<K>): string;
  /** A component status as a heading says it, and inside a sentence. */
  status(status: ComponentStatus): string;
  statusInSentence(status: ComponentStatus): string;
  /** A word or phrase put inside a sentence: lower case in English, as written in German (nouns keep their capitals). */
  inSentence(text: string): string;
  /** "Sat, Mar 24, 2012, 10:00 PM PDT": a time in a zone, with the zone's name. */
  time(ms: number, zone: string): string;
  /** A build's time in UTC, for "Updated …". */
  utcStamp(ms: number): string;
  /** A time in the feeds (RSS text, the banner's line): English keeps RFC 1123's form, which feed readers and filters know. */
  feedTime(ms: number): string;
  /**
   * A calendar day given as "2026-12-01" (the strip's and the latency chart's days): English keeps
   * that ISO form, which its readers have seen since the first release; other languages say it their way ("1. Dez. 2026").
   */
  day(date: string): string;
  /** "February 2016" for "2016-02". */
  month(month: string): string;
  /** A whole or decimal number in the language's digits (1,234.5 / 1.234,5). */
  number(value: number, fractionDigits?: number): string;
  /** 99.95% (a percentage given as 0–100), or "no data" for null. */
  percent(value: number | null): string;
  /** "43%": a whole percentage given as 0–100. */
  wholePercent(value: number): string;
  /** "43% measured", and "under 1% measured" rather than a misleading "0%" for a few minutes of data. */
  measured(coverage: number): string;
  /** 0.4 ms, 12 ms, 1.25 s: as precise as a reader can use. */
  ms(ms: number): string;
}

const cache = new Map<Language, Words>();

export function words(language: Language = DEFAULT_LANGUAGE): Words {
  let found = cache.get(language);
  if (!found) {
    found = makeWords(language);
    cache.set(language, found);
  }
  return found;
}

function makeWords(language: Language): Words {
  const messages = MESSAGES[language];
  const info = LANGUAGE_INFO[language];
  const locale = info.locale;
  const plurals = new Intl.PluralRules(locale);
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number) => {
    let format = numberFormats.get(digits);
    if (!format) {
      format = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
      numberFormats.set(digits, format);
    }
    return format;
  };
  const wholeNumbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 20, useGrouping: false });
  const fill = (text: string, params: Record<string, string | number> = {}) =>
    text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? wholeNumbers.format(value) : value;
    });
  // One formatter per zone: making one costs far more than using one, and a big archive formats thousands of times.
  const timeFormats = new Map<string, Intl.DateTimeFormat>();
  const timeIn = (zone: string) => {
    let format = timeFormats.get(zone);
    if (!format) {
      format = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
      timeFormats.set(zone, format);
    }
    return format;
  };
  const stamp = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
  const feedStamp = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const monthFormat = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const percentFormats = [0, 2].map((digits) => new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const self: Words = {
    language,
    locale,
    t: (key, ...params) => fill(messages[key] as string, params[0]),
    plural: (key, count, ...params) => {
      const forms = messages[key] as Plural;
      const form = forms[plurals.select(count)] ?? forms.other;
      return fill(form, { ...params[0], count });
    },
    status: (status) => messages[`status.${status}`],
    statusInSentence: (status) => self.inSentence(messages[`status.${status}`]),
    inSentence: (text) => (info.lowerCaseInSentence ? text.toLocaleLowerCase(locale) : text),
    time: (ms, zone) => timeIn(zone).format(ms),
    utcStamp: (ms) => `${stamp.format(ms)} UTC`,
    feedTime: (ms) => (language === 'en' ? new Date(ms).toUTCString() : `${feedStamp.format(ms)} UTC`),
    day: (date) => (language === 'en' ? date : dayFormat.format(Date.parse(`${date}T12:00:00Z`))),
    month: (month) => {
      const [year, number] = month.split('-').map(Number) as [number, number];
      return monthFormat.format(Date.UTC(year, number - 1, 15));
    },
    number: (value, fractionDigits = 0) => numberFormat(fractionDigits).format(value),
    percent: (value) => (value === null ? messages['number.noData'] : percentFormats[value === 100 ? 0 : 1]!.format(value / 100)),
    wholePercent: (value) => percentFormats[0]!.format(value / 100),
    measured: (coverage) =>
      coverage > 0 && coverage < 0.01 ? messages['number.underOnePercentMeasured'] : fill(messages['number.measured'], { percent: percentFormats[0]!.format(Math.round(coverage * 100) / 100) }),
    ms: (ms) =>
      ms >= 1000
        ? fill(messages['number.s'], { value: numberFormat(ms >= 10_000 ? 1 : 2).format(ms / 1000) })
        : fill(messages['number.ms'], { value: numberFormat(ms < 10 ? 1 : 0).format(ms) }),
  };
  return self;
}
