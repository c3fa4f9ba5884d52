/**
 * The first language of an authorization's `ui_locales` (OpenID Connect Core §3.1.2.1: space-separated
 * BCP 47 tags, most preferred first) that Mamori's pages speak, or null. `ja-JP` counts as `ja`.
 */
export function pageLanguageOf(uiLocales: unknown): 'ja' | 'en' | null {
  if (typeof uiLocales !== 'string') return null;
  for (const tag of uiLocales.split(' ').slice(0, 20)) {
    const language = tag.toLowerCase().split('-')[0];
    if (language === 'ja' || language === 'en') return language;
  }
  return null;
}
