import type { Translator } from '../i18n/translate.ts';
import { html } from '../html.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';

export function confirmEmailChangeMail(
  model: { link: string; oldEmailMasked: string; expiresHours: number },
  t: Translator,
  ctx: MailContext,
): RenderedMail {
  const body = t('mail.confirmEmail.body', {
    shop: ctx.shopName,
    old: model.oldEmailMasked,
    hours: model.expiresHours,
  });
  return mailFrame(t, ctx, {
    subject: t('mail.confirmEmail.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.confirmEmail.action')}: ${model.link}`],
    html: html`<p>${body}</p>${button(model.link, t('mail.confirmEmail.action'))}`,
  });
}
