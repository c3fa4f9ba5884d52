import type { FastifyReply, FastifyRequest } from 'fastify';

/** The shop's pages in Japanese and English, as a shop in Japan would have them. */
export type Locale = 'ja' | 'en';

const en = {
  'shop.tagline': '(example storefront signed in through Mamori)',
  'lang.switch': '日本語',
  'welcome.title': 'Welcome',
  'welcome.lead': 'Sign in to place an order.',
  'welcome.signIn': 'Sign in with Mamori',
  'home.title': 'Hello, {name}',
  'home.signedInAs': 'Signed in as {email}.',
  'home.hold': 'Gift cards and shipping a new card to a new address wait until {time} (a recent recovery).',
  'order.item': 'Item',
  'order.amount': 'Amount (yen)',
  'order.address': 'Delivery address',
  'order.card': 'Pay with',
  'order.submit': 'Place order',
  'orders.title': 'Your orders',
  'orders.none': 'No orders yet.',
  'orders.held':
    '(held for your security: not shipped. Release or cancel it on the account’s security page, linked from the mail you received.)',
  'orders.released': '(released: you said it was yours, and it ships)',
  'orders.cancelled': '(cancelled: nothing will be charged)',
  'orders.shipped': '(shipped)',
  signOut: 'Sign out',
  back: 'Back',
  'expired.title': 'Sign-in expired',
  'expired.again': 'Sign in again',
  'notSignedIn.title': 'Not signed in',
  'notSignedIn.noIdToken': 'No ID token.',
  'notSignedIn.failed': 'The sign-in could not be completed.',
  'refused.title': 'Refused',
  'refused.body': 'Forms are accepted from this shop only.',
  'check.title': 'Check the order',
  'check.body': 'An item, an amount from 1 to 10,000,000 yen and a delivery address are needed.',
  'accountHeld.title': 'Held for your security',
  'accountHeld.body': 'This account is being secured; orders wait.',
} as const;

export type ShopMessage = keyof typeof en;

const ja: Record<ShopMessage, string> = {
  'shop.tagline': '（Mamori でログインするショップの例）',
  'lang.switch': 'English',
  'welcome.title': 'ようこそ',
  'welcome.lead': 'ご注文にはログインしてください。',
  'welcome.signIn': 'Mamori でログイン',
  'home.title': '{name} 様',
  'home.signedInAs': '{email} でログインしています。',
  'home.hold':
    '最近アカウントを復旧したため、ギフトカードと新しい住所への新しいカードでの発送は {time} までお待ちいただきます。',
  'order.item': '商品',
  'order.amount': '金額（円）',
  'order.address': 'お届け先',
  'order.card': 'お支払い方法',
  'order.submit': '注文する',
  'orders.title': 'ご注文',
  'orders.none': 'ご注文はまだありません。',
  'orders.held':
    '（安全のため保留中：発送していません。届いたメールのリンクから開けるアカウントの安全のページで、発送するかキャンセルするかをお選びください）',
  'orders.released': '（ご本人のご注文と確認できたため、発送します）',
  'orders.cancelled': '（キャンセルしました：請求はありません）',
  'orders.shipped': '（発送済み）',
  signOut: 'ログアウト',
  back: '戻る',
  'expired.title': 'ログインの有効期限が切れました',
  'expired.again': 'もう一度ログイン',
  'notSignedIn.title': 'ログインできませんでした',
  'notSignedIn.noIdToken': 'ID トークンがありません。',
  'notSignedIn.failed': 'ログインを完了できませんでした。',
  'refused.title': 'お受けできません',
  'refused.body': 'このショップのページからのフォームのみ受け付けます。',
  'check.title': 'ご注文内容をご確認ください',
  'check.body': '商品、1円から1,000万円までの金額、お届け先が必要です。',
  'accountHeld.title': '安全のため保留しています',
  'accountHeld.body': 'このアカウントは保護の手続き中です。ご注文はお待ちください。',
};

const catalogs: Record<Locale, Record<ShopMessage, string>> = { en, ja };

export type ShopTranslator = (key: ShopMessage, vars?: Record<string, string>) => string;

export function translator(locale: Locale): ShopTranslator {
  return (key, vars = {}) =>
    catalogs[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(vars, name) ? String(vars[name]) : whole,
    );
}

export const LANGUAGE_COOKIE = 'shop_lang';

const asked = (request: FastifyRequest): Locale | null => {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return lang === 'ja' || lang === 'en' ? lang : null;
};

/** `?lang=` from the switch, then the choice the browser kept, then Accept-Language, then the shop's default. */
export function localeOf(request: FastifyRequest, fallback: Locale): Locale {
  const chosen = asked(request) ?? request.cookies[LANGUAGE_COOKIE];
  if (chosen === 'ja' || chosen === 'en') return chosen;
  const header = String(request.headers['accept-language'] ?? '').toLowerCase();
  if (header.startsWith('ja')) return 'ja';
  if (header.startsWith('en')) return 'en';
  return fallback;
}

/** A page opened from the switch keeps its language for the next pages (a browser preference only). */
export function keepLanguage(request: FastifyRequest, reply: FastifyReply, secure: boolean): void {
  const lang = asked(request);
  if (lang && request.cookies[LANGUAGE_COOKIE] !== lang)
    reply.setCookie(LANGUAGE_COOKIE, lang, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: 365 * 24 * 3600,
    });
}

/** This page in the other language: the same URL with `lang` changed. */
export function switchHref(request: FastifyRequest, locale: Locale): string {
  const url = new URL(request.url, 'http://shop.invalid');
  url.searchParams.set('lang', locale === 'ja' ? 'en' : 'ja');
  return `${url.pathname}${url.search}`;
}
