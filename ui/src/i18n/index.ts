// i18n: French first, English second. Every visible string goes through a key named by its
// meaning (`inbox.forAction`); src/i18n/i18n.test.ts keeps fr.json and en.json in step.

import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import fr from './fr.json';
import en from './en.json';
import type { LanguageDto } from '../bindings';

export const LANGUAGES: LanguageDto[] = ['fr', 'en'];
const STORAGE_KEY = 'diplomatie.language';

/** The language to use before a profile is unlocked (its settings hold the real choice). */
export function storedLanguage(): LanguageDto {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'en' || v === 'fr' ? v : 'fr';
  } catch {
    return 'fr';
  }
}

export function rememberLanguage(lang: LanguageDto): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage unavailable: the language still applies to this session.
  }
}

export function createI18n(lang: LanguageDto = storedLanguage()): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { fr: { translation: fr }, en: { translation: en } },
    lng: lang,
    fallbackLng: 'fr',
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return instance;
}

/** Applies a language: i18next, the document's `lang`, and local storage. */
export async function applyLanguage(i18n: I18n, lang: LanguageDto): Promise<void> {
  rememberLanguage(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (i18n.language !== lang) await i18n.changeLanguage(lang);
}
