import type { Translator } from '../i18n/translate.ts';
import { html } from '../html.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';

/** To a customer a shop brought without a password: one link, to set one or a passkey (issue 26). */
export function firstPasswordMail(
  model: { link: string; expiresMinutes: number },
  t: Translator,
  ctx: MailContext,
): RenderedMail {
  const body = t('mail.firstPassword.body', { shop: ctx.shopName, minutes: model.expiresMinutes });
  return mailFrame(t, ctx, {
    subject: t('mail.firstPassword.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.firstPassword.action')}: ${model.link}`, '', t('mail.firstPassword.ignore')],
    html: html`<p>${body}</p>${button(model.link, t('mail.firstPassword.action'))}<p>${t('mail.firstPassword.ignore')}</p>`,
  });
}
