import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, Locale } from '../config.ts';
import { asLocale } from '../views/i18n/translate.ts';

export const LANGUAGE_COOKIE = 'mamori_lang';
/** The query parameter the language switch adds to the page's own URL. */
export const LANGUAGE_PARAM = 'lang';

/** `?lang=` of a GET, when it names a language we have. */
export function languageAsked(request: FastifyRequest): Locale | null {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const asked = (request.query as Record<string, unknown> | undefined)?.[LANGUAGE_PARAM];
  return asked === 'ja' || asked === 'en' ? asked : null;
}

/** The page's language: `?lang=` on the link, then the browser's saved choice, then Accept-Language. */
export function localeFromRequest(request: FastifyRequest, fallback: Locale): Locale {
  const asked = languageAsked(request);
  if (asked) return asked;
  const chosen = request.cookies[LANGUAGE_COOKIE];
  if (chosen) return asLocale(chosen, fallback);
  const header = String(request.headers['accept-language'] ?? '').toLowerCase();
  if (header.startsWith('ja')) return 'ja';
  if (header.startsWith('en')) return 'en';
  return fallback;
}

/**
 * A page opened with `?lang=` keeps that language for the pages its forms lead to: the choice is kept in
 * the browser (a cookie, nothing stored on the server), as the switch's POST does for a signed-in person.
 */
export function keepLanguageAsked(request: FastifyRequest, reply: FastifyReply, config: Readonly<Config>): void {
  const asked = languageAsked(request);
  if (asked && request.cookies[LANGUAGE_COOKIE] !== asked) setLanguageCookie(reply, config, asked);
}

export function setLanguageCookie(reply: FastifyReply, config: Readonly<Config>, locale: Locale): void {
  reply.setCookie(LANGUAGE_COOKIE, locale, {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
    maxAge: 365 * 24 * 3600,
  });
}

/**
 * Where the switch leads: this very page in the other language. A page opened from a mail carries its
 * token in the query string, so the switch is the same URL with `lang` changed: the token goes nowhere
 * it was not already (the browser sends no Referer, and request logs keep the path only). A page shown
 * in answer to a form (the form again, with what was wrong) has the address of its form's action; the
 * switch leads to the page that form belongs to, with the token the form carried.
 */
export function languageSwitchHref(request: FastifyRequest, other: Locale): string {
  const url = new URL(request.url, 'http://mamori.invalid');
  if (request.method === 'GET' || request.method === 'HEAD') {
    url.searchParams.set(LANGUAGE_PARAM, other);
    return `${url.pathname}${url.search}`;
  }
  const page = pageOfForm(request, url.pathname);
  const token = (request.body as Record<string, unknown> | undefined)?.token;
  const query = new URLSearchParams();
  if (typeof token === 'string' && /^[\w-]{1,100}$/.test(token)) query.set('token', token);
  query.set(LANGUAGE_PARAM, other);
  return `${page}?${query.toString()}`;
}

/** Paths made of these only: the router reads `*` and `:` in a path it is asked about as route syntax (and throws on some). */
const PLAIN_PATH = /^[\w./-]+$/;

/** The GET page a form's action belongs to: the action itself, or the closest enclosing path with a page. */
function pageOfForm(request: FastifyRequest, action: string): string {
  if (!PLAIN_PATH.test(action)) return '/';
  for (let path = action; path.length > 1; path = path.slice(0, path.lastIndexOf('/')) || '/')
    if (request.server.hasRoute({ method: 'GET', url: path })) return path;
  return '/';
}
