import type { Translator } from '../i18n/translate.ts';
import { html } from '../html.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';

export function passwordResetMail(
  model: { link: string; expiresMinutes: number },
  t: Translator,
  ctx: MailContext,
): RenderedMail {
  const body = t('mail.reset.body', { shop: ctx.shopName, minutes: model.expiresMinutes });
  return mailFrame(t, ctx, {
    subject: t('mail.reset.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.reset.action')}: ${model.link}`, '', t('mail.reset.ignore')],
    html: html`<p>${body}</p>${button(model.link, t('mail.reset.action'))}<p>${t('mail.reset.ignore')}</p>`,
  });
}
