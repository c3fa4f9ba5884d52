import type { Translator } from '../i18n/translate.ts';
import { html } from '../html.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';

export function registrationAttemptMail(
  model: { signInLink: string; resetLink: string },
  t: Translator,
  ctx: MailContext,
): RenderedMail {
  const body = t('mail.registrationAttempt.body', { shop: ctx.shopName });
  const reset = t('mail.registrationAttempt.reset', { link: model.resetLink });
  return mailFrame(t, ctx, {
    subject: t('mail.registrationAttempt.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.registrationAttempt.action')}: ${model.signInLink}`, reset],
    html: html`<p>${body}</p>${button(model.signInLink, t('mail.registrationAttempt.action'))}<p>${reset}</p>`,
  });
}
