import type { MessageKey } from '../views/i18n/translate.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, Locale } from '../config.ts';
import { DomainError } from '../core/errors.ts';
import type { RequestOrigin } from '../services/deps.ts';
import type { ActiveSession } from '../services/sessions/sessions.ts';
import { hashToken, looksLikeToken } from '../platform/token-hash.ts';
import { translatorFor } from '../views/i18n/translate.ts';
import { languageSwitchHref } from './language-switch.ts';
import type { PageContext } from '../views/page-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session: ActiveSession | null;
    locale: Locale;
    /** The session cookie's value, kept so sign-out and re-authentication can act on it. */
    sessionToken: string | undefined;
    deviceCookie: string | undefined;
    /** The request's country from the offline GeoIP database, null when unknown. */
    readonly country: string | null;
    /** The application clock at the start of the request. */
    now: Date;
  }
}

export function sessionCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-mamori_session' : 'mamori_session';
}

export function csrfCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-mamori_csrf' : 'mamori_csrf';
}

/**
 * The form token and the language switch's address are worked out when the page first shows them: a
 * page with no form (the step on to a shop after signing in) makes no form-token secret and sets no cookie.
 */
export function pageContext(request: FastifyRequest, reply: FastifyReply, config: Readonly<Config>): PageContext {
  let csrfToken: string | undefined;
  let switchHref: string | undefined;
  return {
    locale: request.locale,
    t: translatorFor(request.locale),
    get csrfToken() {
      return (csrfToken ??= reply.generateCsrf());
    },
    signedIn: request.session !== null,
    shopName: config.shopName,
    supportEmail: config.supportEmail,
    supportPhone: config.supportPhone,
    get languageSwitchHref() {
      return (switchHref ??= languageSwitchHref(request, request.locale === 'ja' ? 'en' : 'ja'));
    },
    now: request.now.toISOString(),
    timeZone: config.timeZone,
  };
}

/** A page context without a request behind it (router errors, the OpenID Provider's own pages). */
export function bareContext(config: Readonly<Config>, locale: Locale, now: Date, csrfToken = ''): PageContext {
  return {
    locale,
    t: translatorFor(locale),
    csrfToken,
    signedIn: false,
    shopName: config.shopName,
    supportEmail: config.supportEmail,
    supportPhone: config.supportPhone,
    languageSwitchHref: `/?lang=${locale === 'ja' ? 'en' : 'ja'}`,
    now: now.toISOString(),
    timeZone: config.timeZone,
  };
}

export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body);
}

export function deviceCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-mamori_device' : 'mamori_device';
}

/** Worked out once per request (a hash and a GeoIP lookup), again only if the device cookie or session changed. */
const origins = new WeakMap<FastifyRequest, { origin: RequestOrigin; deviceCookie: string | undefined }>();

/**
 * Who is acting: address, browser, session, and the device cookie (stored only as its SHA-256). The same
 * object for every call in a request (nothing writes to it; a copy per call went through V8's slow path for
 * a rest pattern). Not frozen: callers spread it, and V8 copies a frozen object the slow way.
 */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const device = request.deviceCookie;
  const sessionId = request.session?.id ?? null;
  const known = origins.get(request);
  if (known && known.deviceCookie === device && known.origin.sessionId === sessionId) return known.origin;
  const origin: RequestOrigin = {
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    sessionId,
    deviceId: looksLikeToken(device) ? hashToken(device) : null,
    country: request.country,
  };
  origins.set(request, { origin, deviceCookie: device });
  return origin;
}

/** Gives the browser a long-lived device cookie at sign-in if it has none, so it is recognised next time. */
export function ensureDeviceCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Readonly<Config>,
  newToken: () => string,
): void {
  if (looksLikeToken(request.deviceCookie)) return;
  request.deviceCookie = newToken();
  reply.setCookie(deviceCookieName(config), request.deviceCookie, {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
    maxAge: 2 * 365 * 24 * 3600,
  });
}

export function setSessionCookie(reply: FastifyReply, config: Readonly<Config>, token: string): void {
  reply.setCookie(sessionCookieName(config), token, {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
    maxAge: Math.floor(config.session.absoluteMs / 1000),
  });
  // A new session gets a new form-token secret too: a token handed out before sign-in is worthless after it.
  // The old secret is dropped here and the next form makes a new one (making it here cost a random secret
  // and a token nobody reads); a form this same answer shows makes it at once.
  const csrfCookie = csrfCookieName(config);
  reply.request.cookies[csrfCookie] = undefined;
  reply.clearCookie(csrfCookie, { path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies });
}

/**
 * Logout: forget the session cookie and ask the browser to drop cached pages and storage (STANDARDS G6).
 * Not "cookies": that would also drop the device cookie, and the owner's next sign-in from this very
 * browser would be announced as a new device.
 */
export function clearSessionCookie(reply: FastifyReply, config: Readonly<Config>): void {
  reply.clearCookie(sessionCookieName(config), {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
  });
  reply.header('clear-site-data', '"cache", "storage"');
}

/** One-line confirmations after a redirect, chosen from a fixed list so a URL cannot inject text. */
const NOTICES = {
  'signed-out': 'signedOut.body',
  verified: 'verify.done',
  reset: 'reset.done',
  'first-password': 'firstPassword.done',
  saved: 'account.saved',
  'password-changed': 'account.passwordChanged',
  'email-pending': 'account.emailPending',
  recovered: 'recover.done',
  held: 'held.saved',
  'held-cancelled': 'held.cancelled',
  'order-sent': 'orders.sent',
} as const satisfies Record<string, MessageKey>;

export type NoticeName = keyof typeof NOTICES;

export function noticeText(request: FastifyRequest): string | undefined {
  const name = (request.query as Record<string, unknown> | undefined)?.notice;
  if (typeof name !== 'string' || !Object.hasOwn(NOTICES, name)) return undefined;
  return translatorFor(request.locale)(NOTICES[name as NoticeName]);
}

/** The `token` of an emailed link, from the query string (GET) or the form (POST); never longer than 100. */
export function linkToken(request: FastifyRequest): string {
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.token;
  const fromBody = (request.body as Record<string, unknown> | undefined)?.token;
  const value = typeof fromQuery === 'string' ? fromQuery : fromBody;
  return typeof value === 'string' ? value.slice(0, 100) : '';
}

/** The signed-in session, or UNAUTHENTICATED (pages turn that into a redirect to sign-in). */
export function requireSession(request: FastifyRequest): ActiveSession {
  if (!request.session) throw new DomainError('UNAUTHENTICATED');
  return request.session;
}
