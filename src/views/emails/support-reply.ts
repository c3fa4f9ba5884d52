import { html } from '../html.ts';
import type { Translator } from '../i18n/translate.ts';
import { mailFrame, paragraphs, type MailContext, type RenderedMail } from './layout.ts';

/** A person at the shop answered: their words, their name, and how to write back. */
export function supportReplyMail(
  model: { body: string; staffName: string },
  t: Translator,
  ctx: MailContext,
): RenderedMail {
  const subject = t('mail.reply.subject', { shop: ctx.shopName });
  const signed = t('mail.reply.signed', { name: model.staffName, shop: ctx.shopName });
  return mailFrame(t, ctx, {
    subject,
    text: [model.body, '', signed],
    html: html`${paragraphs(model.body)}<p>${signed}</p>`,
  });
}
