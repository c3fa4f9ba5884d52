import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './page-context.ts';

export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

/**
 * "English / 日本語": this same page in the other language. A link for everyone (an emailed link's token
 * stays in the query string it came in); a signed-in person's choice is also kept for their mail, which
 * changes the account and so goes by a POST with the form token, back to the same URL.
 */
function languageSwitch(ctx: PageContext): SafeHtml {
  const other = ctx.locale === 'ja' ? 'en' : 'ja';
  if (!ctx.signedIn)
    return html`<a class="lang" href="${ctx.languageSwitchHref}" hreflang="${other}" lang="${other}">${ctx.t('lang.switch')}</a>`;
  return html`<form method="post" action="/language" class="inline lang">${csrfField(ctx)}
<input type="hidden" name="locale" value="${other}">
<input type="hidden" name="returnTo" value="${ctx.languageSwitchHref}">
<button type="submit" class="link" lang="${other}">${ctx.t('lang.switch')}</button></form>`;
}

export interface LayoutOptions {
  /** Pages with a passkey button load the WebAuthn helper (SimpleWebAuthn's browser bundle) and ours. */
  passkeys?: boolean;
  /** The support desk has its own navigation. */
  nav?: SafeHtml;
  /**
   * The page moves on to this address at once (a navigation of its own, not a redirect). It shows only its
   * own link: no navigation and no language switch, so no form (and no form token) on the way through.
   */
  refreshTo?: string;
}

/** The header's navigation and language switch; none on a page the browser only passes through. */
function headerLinks(ctx: PageContext, options: LayoutOptions): SafeHtml | '' {
  if (options.refreshTo !== undefined) return '';
  const { t } = ctx;
  const nav =
    options.nav ??
    (ctx.signedIn
      ? html`<a href="/account">${t('nav.account')}</a>
<a href="/account/sessions">${t('nav.sessions')}</a>
<form method="post" action="/sign-out" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('nav.signOut')}</button></form>`
      : html`<a href="/sign-in">${t('nav.signIn')}</a> <a href="/register">${t('nav.register')}</a>`);
  return html`<nav aria-label="${ctx.locale === 'ja' ? 'メイン' : 'Main'}">${nav}</nav>
${languageSwitch(ctx)}`;
}

export function layout(
  ctx: PageContext,
  title: string,
  body: SafeHtml | SafeHtml[],
  options: LayoutOptions = {},
): string {
  const { t } = ctx;
  const phone = ctx.supportPhone ? t('footer.helpPhone', { phone: ctx.supportPhone }) : '';
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${ctx.shopName}</title>
${options.refreshTo ? html`<meta http-equiv="refresh" content="0;url=${options.refreshTo}">` : ''}
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
${options.passkeys ? html`<script src="/static/vendor/simplewebauthn-browser.js" defer></script><script src="/static/passkeys.js" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">${ctx.locale === 'ja' ? '本文へ移動' : 'Skip to content'}</a>
<header>
<a class="brand" href="/">${ctx.shopName}</a>
${headerLinks(ctx, options)}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
<footer><p>${t('footer.help', { email: ctx.supportEmail })}${phone}</p></footer>
</body>
</html>`.value;
}
