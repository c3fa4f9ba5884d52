import type { Translator } from '../i18n/translate.ts';
import { html } from '../html.ts';
import { button, mailFrame, paragraphs, type MailContext, type RenderedMail } from './layout.ts';

export function verifyEmailMail(model: { name: string; link: string }, t: Translator, ctx: MailContext): RenderedMail {
  const body = t('mail.verify.body', { name: model.name, shop: ctx.shopName });
  return mailFrame(t, ctx, {
    subject: t('mail.verify.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.verify.action')}: ${model.link}`, '', t('mail.verify.ignore')],
    html: html`${paragraphs(body)}${button(model.link, t('mail.verify.action'))}<p>${t('mail.verify.ignore')}</p>`,
  });
}
