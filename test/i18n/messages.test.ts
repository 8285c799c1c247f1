// The messages files: every key in every language, with the same placeholders and every plural form
// the language's plural rules ask for; and the formats, made by Intl in the site's language.
import { describe, expect, it } from 'vitest';
import { de } from '../../src/i18n/de.ts';
import { en } from '../../src/i18n/en.ts';
import { LANGUAGE_INFO, LANGUAGES, suggestLanguage } from '../../src/i18n/languages.ts';
import { MESSAGES, words, type Messages, type Plural } from '../../src/i18n/messages.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const formsOf = (value: string | Plural) => (typeof value === 'string' ? [value] : Object.values(value).filter((v): v is string => v !== undefined));

describe('messages', () => {
  it.each(LANGUAGES.filter((l) => l !== 'en'))('gives every English key in %s, and no other key, at run time as well as in the types', (language) => {
    expect(Object.keys(MESSAGES[language]).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(LANGUAGES)('gives every plural form that Intl.PluralRules asks for in %s, and a plain string where English has one', (language) => {
    const categories = new Intl.PluralRules(LANGUAGE_INFO[language].locale).resolvedOptions().pluralCategories;
    for (const [key, english] of Object.entries(en)) {
      const value = MESSAGES[language][key as keyof Messages];
      if (typeof english === 'string') {
        expect(typeof value, key).toBe('string');
        continue;
      }
      expect(typeof value, key).toBe('object');
      for (const category of categories) expect((value as Plural)[category], `${language} ${key}.${category}`).toEqual(expect.any(String));
      // Every plural count is also counted in the other forms: "{count} entries" never loses its number.
      for (const form of formsOf(value as Plural)) expect(form, `${language} ${key}`).toContain('{count}');
    }
  });

  it.each(LANGUAGES)('fills in the same placeholders in %s as in English, and leaves no value empty', (language) => {
    for (const [key, english] of Object.entries(en)) {
      const wanted = placeholders(formsOf(english).join(' ')).filter((p, i, all) => all.indexOf(p) === i);
      const value = MESSAGES[language][key as keyof Messages];
      for (const form of formsOf(value)) {
        expect(form.trim(), `${language} ${key}`).not.toBe('');
        expect(placeholders(form).filter((p, i, all) => all.indexOf(p) === i), `${language} ${key}: "${form}"`).toEqual(wanted);
      }
    }
  });

  it('refuses, when type-checked, a language file that lacks a key or a call that lacks a placeholder', () => {
    const { 'status.operational': _dropped, ...lacking } = de;
    // @ts-expect-error a messages file without 'status.operational' does not compile
    const incomplete: Messages = lacking;
    expect(Object.keys(incomplete)).not.toContain('status.operational');
    // @ts-expect-error 'strip.label' needs {name} and {days}
    expect(words('en').t('strip.label', { name: 'Cache' })).toBe('Cache: uptime, day by day, for {days} days');
    // @ts-expect-error no such key
    expect(() => words('en').t('status.sideways')).toThrow();
  });

  it('picks the plural form by the count, with the number in the language’s digits', () => {
    expect([1, 2, 0].map((n) => words('en').plural('history.entries', n))).toEqual(['1 entry', '2 entries', '0 entries']);
    expect([1, 2, 0].map((n) => words('de').plural('history.entries', n))).toEqual(['1 Eintrag', '2 Einträge', '0 Einträge']);
    expect(words('de').plural('common.daysAgo', 90)).toBe('vor 90 Tagen');
  });
});

describe('formats', () => {
  // A fixed instant: the date printed is the assertion, not today's.
  const instant = Date.UTC(2012, 2, 25, 5, 0); // 2012-03-24 22:00 in Los Angeles (PDT)

  it('formats a date and time in German with Intl, in the post’s zone', () => {
    expect(words('de').time(instant, 'America/Los_Angeles')).toBe(
      new Intl.DateTimeFormat('de-DE', { timeZone: 'America/Los_Angeles', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(instant),
    );
    expect(words('de').time(instant, 'Europe/Berlin')).toBe('So., 25. März 2012, 07:00 MESZ');
    expect(words('de').month('2016-02')).toBe('Februar 2016');
    expect(words('de').day('2026-12-01')).toBe('1. Dez. 2026');
    expect(words('en').day('2026-12-01')).toBe('2026-12-01');
    expect(words('de').utcStamp(instant)).toBe('25.03.2012, 05:00 UTC');
    expect(words('de').feedTime(instant)).toBe('So., 25. März 2012, 05:00 UTC');
  });

  it('keeps the English forms the site had before it spoke other languages', () => {
    expect(words('en').time(instant, 'America/Los_Angeles')).toBe('Sat, Mar 24, 2012, 10:00 PM PDT');
    expect(words('en').feedTime(instant)).toBe(new Date(instant).toUTCString());
    expect(words('en').month('2016-02')).toBe('February 2016');
    expect([99.953, 100, 0, null].map(words('en').percent)).toEqual(['99.95%', '100%', '0.00%', 'no data']);
    expect([0.43, 0.004, 0].map(words('en').measured)).toEqual(['43% measured', 'under 1% measured', '0% measured']);
    expect([0.42, 12.4, 1250, 12_500].map(words('en').ms)).toEqual(['0.4 ms', '12 ms', '1.25 s', '12.5 s']);
  });

  it('writes numbers, percentages and durations with German digits', () => {
    expect([99.953, 100, null].map(words('de').percent)).toEqual(['99,95\u00a0%', '100\u00a0%', 'keine Daten']);
    expect([0.43, 0.004].map(words('de').measured)).toEqual(['43\u00a0% gemessen', 'unter 1 % gemessen']);
    expect([0.42, 1250].map(words('de').ms)).toEqual(['0,4 ms', '1,25 s']);
    expect(words('de').t('bars.partialMinutes', { minutes: 1440 })).toBe('1440 Min. Teilausfall');
  });

  it('keeps status words inside a sentence in English lower case and in German capitals', () => {
    expect(words('en').statusInSentence('partial_outage')).toBe('partial outage');
    expect(words('de').statusInSentence('partial_outage')).toBe('Teilausfall');
  });
});

describe('suggestLanguage', () => {
  it.each([
    ['de-AT', 'de'],
    ['en_GB', 'en'],
    ['German', 'de'],
    ['Deutsch', 'de'],
    ['deutch', 'de'],
    ['englsh', 'en'],
    ['dee', 'de'],
    ['fr', undefined],
    ['klingon', undefined],
  ] as const)('takes "%s" for %s', (written, meant) => {
    expect(suggestLanguage(written)).toBe(meant);
  });
});
