// The languages the site's fixed text is written in (site.yaml `language:`, `--language`). Adding one
// means one messages file (src/i18n/<code>.ts, typed as Messages) and one line here.
import { editDistance } from '../config/issues.ts';

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface LanguageInfo {
  /** The BCP 47 tag given to Intl and to `<html lang>`/feeds. */
  locale: string;
  /** The language's own name, and its English name, for help texts and did-you-mean hints. */
  name: string;
  englishName: string;
  /**
   * Whether a status word inside a sentence is written in lower case ("(partial outage)"). German
   * capitalises nouns, so "(Teilausfall)" keeps its capital.
   */
  lowerCaseInSentence: boolean;
}

export const LANGUAGE_INFO: Readonly<Record<Language, LanguageInfo>> = {
  // en-US names the zones readers know ("PST", "PDT"); en-GB would say "GMT-8".
  en: { locale: 'en-US', name: 'English', englishName: 'English', lowerCaseInSentence: true },
  de: { locale: 'de-DE', name: 'Deutsch', englishName: 'German', lowerCaseInSentence: false },
};

export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language someone most likely meant by a code that is not one of ours: a region tag ("de-AT",
 * "en_GB"), a name ("German", "Deutsch"), or a code one keystroke away ("ed"). Undefined otherwise:
 * "fr" is two edits from "en" and from "de", and suggesting either would mislead.
 */
export function suggestLanguage(written: string): Language | undefined {
  const word = written.trim().toLowerCase();
  const region = /^([a-z]{2,3})[-_]/.exec(word)?.[1];
  if (region && isLanguage(region)) return region;
  for (const language of LANGUAGES) {
    const info = LANGUAGE_INFO[language];
    if (word === info.name.toLowerCase() || word === info.englishName.toLowerCase()) return language;
  }
  let best: Language | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const language of LANGUAGES) {
    for (const candidate of [language, LANGUAGE_INFO[language].name.toLowerCase(), LANGUAGE_INFO[language].englishName.toLowerCase()]) {
      const distance = editDistance(word, candidate);
      // A code may be one keystroke off; a name may be a few letters off ("germna", "deutch").
      const allowed = candidate.length <= 3 ? 1 : Math.max(1, Math.floor(candidate.length / 3));
      if (distance <= allowed && distance < bestDistance) {
        best = language;
        bestDistance = distance;
      }
    }
  }
  return best;
}

/** "en (English), de (German: Deutsch)": the list a hint gives. */
export const languageList = () =>
  LANGUAGES.map((l) => `${l} (${LANGUAGE_INFO[l].englishName}${LANGUAGE_INFO[l].name === LANGUAGE_INFO[l].englishName ? '' : `: ${LANGUAGE_INFO[l].name}`})`).join(', ');

/** The hint for a language that is not one of ours. */
export function languageHint(written: string): string {
  const meant = suggestLanguage(written);
  return `${meant ? `did you mean "${meant}"? ` : ''}languages: ${languageList()}`;
}
