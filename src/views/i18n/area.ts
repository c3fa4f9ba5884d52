import type { Locale } from '../../config.ts';
import type { Translator } from './translate.ts';

/**
 * The area a request came from, as a person reads it: a country by its name in her language (JP →
 * 日本 / Japan), and a loopback or private network (src/platform/device.ts `describeArea`) as "this
 * device's network" rather than the words "local" or "private network".
 */
export function areaName(locale: Locale, t: Translator, area: string): string {
  if (area === 'local' || area === 'private network') return t('area.sameNetwork');
  if (!/^[A-Z]{2}$/.test(area)) return area;
  return new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' }).of(area) ?? area;
}
