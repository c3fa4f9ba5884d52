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
  // Most messages have no placeholder: a page shows dozens of them.
  if (!template.includes('{')) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

/** How a reader sees times: their language, and the shop's time zone (MAMORI_TIME_ZONE). */
export interface DateStyle {
  locale: Locale;
  timeZone: string;
}

/** Dates and times as a person in that language reads them, in the shop's time zone, which is named. */
export function formatDateTime(style: DateStyle, iso: string): string {
  const date = new Date(iso);
  if (style.locale === 'ja') {
    const text = new Intl.DateTimeFormat('ja-JP', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: style.timeZone,
    }).format(date);
    return style.timeZone === 'Asia/Tokyo'
      ? `${text}（日本時間）`
      : `${text}（${zoneName('ja-JP', style.timeZone, date)}）`;
  }
  const text = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: style.timeZone,
  }).format(date);
  return style.timeZone === 'Asia/Tokyo' ? `${text} Japan time` : `${text} ${zoneName('en-GB', style.timeZone, date)}`;
}

function zoneName(locale: string, timeZone: string, date: Date): string {
  return (
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(date)
      .find((part) => part.type === 'timeZoneName')?.value ?? timeZone
  );
}

export type Translator = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translatorFor(locale: Locale): Translator {
  return (key, vars) => translate(locale, key, vars);
}

/** The message for a key built from stored data (a change kind, a state), or the raw value when there is none. */
export function translateOr(t: Translator, key: string, fallback: string): string {
  return isMessageKey(key) ? t(key) : fallback;
}

/** A length of time in words: "5 hours", "1 hour 30 minutes", "10 minutes" (never "0 hours"). */
export function formatDuration(t: Translator, ms: number): string {
  const totalMinutes = Math.max(1, Math.round(ms / 60_000));
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  const h = hours === 0 ? '' : t(hours === 1 ? 'duration.hour' : 'duration.hours', { count: hours });
  const m = minutes === 0 ? '' : t(minutes === 1 ? 'duration.minute' : 'duration.minutes', { count: minutes });
  return h && m ? t('duration.both', { hours: h, minutes: m }) : h || m;
}
