import type { Locale } from '../../config.ts';
import type { SecurityNoticeModel } from '../../core/mail-messages.ts';
import { html } from '../html.ts';
import { formatDateTime, type Translator } from '../i18n/translate.ts';
import { mailFrame, type MailContext, type RenderedMail } from './layout.ts';

/**
 * What changed, before and after, when and from where, and how to reach a person. It never tells the
 * reader to "change your password": the person reading it may be the one locked out.
 */
export function securityNoticeMail(model: SecurityNoticeModel, t: Translator, ctx: MailContext, locale: Locale): RenderedMail {
  const subject = t(`mail.notice.subject.${model.kind}`, { shop: ctx.shopName });
  const rows: [string, string][] = [[t('mail.notice.when'), formatDateTime(locale, model.occurredAt)]];
  if (model.before) rows.push([t('mail.notice.before'), model.before]);
  if (model.after) rows.push([t('mail.notice.after'), model.after]);
  rows.push([t('mail.notice.device'), model.device], [t('mail.notice.ip'), model.ip]);
  const notYou = t('mail.notice.notYou', { email: ctx.supportEmail });
  return mailFrame(t, ctx, {
    subject,
    text: [subject, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', notYou],
    html: html`<p><strong>${subject}</strong></p>
<table>${rows.map(([k, v]) => html`<tr><th style="text-align:left;padding-right:1em">${k}</th><td>${v}</td></tr>`)}</table>
<p>${notYou}</p>`,
  });
}
