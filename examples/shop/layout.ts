import type { FastifyInstance } from 'fastify';
import { escape } from './escape.ts';
import type { Locale, ShopTranslator } from './i18n.ts';

/** The stylesheet is a file of its own: the CSP allows no inline style. */
const STYLESHEET = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}header .lang{margin-left:auto}
label{display:block;margin-top:.8rem}input,select{width:100%;padding:.4rem;box-sizing:border-box}
button,.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem}.note{background:#fff6d6;padding:.6rem}`;

export function serveStylesheet(app: FastifyInstance): void {
  app.get('/shop.css', async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(STYLESHEET),
  );
}

/** The shop's logo. Mamori's sign-in pages show it, so another origin may load it (CORP cross-origin). */
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#b3261e"/>
<path d="M24 8l4 9 7-3-2 9 7 3-9 5 2 6-9-3-9 3 2-6-9-5 7-3-2-9 7 3z" fill="#fff"/><path d="M24 30v11" stroke="#fff" stroke-width="2.5"/></svg>`;

export function serveLogo(app: FastifyInstance): void {
  app.get('/logo.svg', async (_request, reply) =>
    reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'max-age=3600')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(LOGO),
  );
}

export interface PageContext {
  locale: Locale;
  t: ShopTranslator;
  /** This page in the other language. */
  switchHref: string;
  shopName: string;
}

/** `body` is HTML the caller built (every value in it escaped). */
export function page(ctx: PageContext, title: string, body: string): string {
  const other = ctx.locale === 'ja' ? 'en' : 'ja';
  return `<!doctype html><html lang="${ctx.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · ${escape(ctx.shopName)}</title>
<link rel="stylesheet" href="/shop.css">
</head><body><header><strong>${escape(ctx.shopName)}</strong> <small>${escape(ctx.t('shop.tagline'))}</small>
<a class="lang" href="${escape(ctx.switchHref)}" hreflang="${other}" lang="${other}">${escape(ctx.t('lang.switch'))}</a></header>
<main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}
