import type { Locale } from './i18n.ts';

/** Times as the shop's customers read them: their language, the shop's time zone, the zone named. */
export function formatTime(locale: Locale, timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: locale === 'ja' ? 'long' : 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(at);
}

/** Yen as the locale writes them (¥1,800). */
export function formatYen(locale: Locale, amount: number): string {
  return new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en', { style: 'currency', currency: 'JPY' }).format(amount);
}
