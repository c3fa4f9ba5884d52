import type { Locale } from '../../config.ts';
import { en, type MessageKey } from './en.ts';
import { ja } from './ja.ts';

export type { MessageKey };
export const LOCALES: readonly Locale[] = ['ja', 'en'];
const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ja };

export function asLocale(value: unknown, fallback: Locale): Locale {
  return value === 'ja' || value === 'en' ? value : fallback;
}

export function isMessageKey(key: string): key is MessageKey {
  // Own keys only: 'constructor' or '__proto__' from a URL must not look like a message.
  return Object.hasOwn(en, key);
}

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = catalogs[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

/** Dates and times as a person in that language reads them, in Japan time for ja and UTC for en. */
export function formatDateTime(locale: Locale, iso: string): string {
  const date = new Date(iso);
  return locale === 'ja'
    ? `${new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(date)}（日本時間）`
    : `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
}

export type Translator = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translatorFor(locale: Locale): Translator {
  return (key, vars) => translate(locale, key, vars);
}

/** The message for a key built from stored data (a change kind, a state), or the raw value when there is none. */
export function translateOr(t: Translator, key: string, fallback: string): string {
  return isMessageKey(key) ? t(key) : fallback;
}
