import type { SecurityNoticeModel } from '../../core/mail-messages.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, type DateStyle, type Translator } from '../i18n/translate.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';
import { areaName } from '../i18n/area.ts';

/** What changed, before and after, when, from which device, network and area: one notice's facts. */
export function noticeRows(model: SecurityNoticeModel, t: Translator, when: DateStyle): [string, string][] {
  const rows: [string, string][] = [[t('mail.notice.when'), formatDateTime(when, model.occurredAt)]];
  if (model.before) rows.push([t('mail.notice.before'), model.before]);
  if (model.after) rows.push([t('mail.notice.after'), model.after]);
  rows.push([t('mail.notice.device'), model.device], [t('mail.notice.ip'), model.ip]);
  if (model.area) rows.push([t('mail.notice.area'), areaName(when.locale, t, model.area)]);
  return rows;
}

export function noticeTable(rows: [string, string][]): SafeHtml {
  return html`<table>${rows.map(([k, v]) => html`<tr><th style="text-align:left;padding-right:1em">${k}</th><td>${v}</td></tr>`)}</table>`;
}

/**
 * What changed, before and after, when, from which device and area, the "This wasn't me" link, and how
 * to reach a person. It never tells the reader to "change your password": they may be locked out.
 */
export function securityNoticeMail(
  model: SecurityNoticeModel,
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const subject = t(`mail.notice.subject.${model.kind}`, { shop: ctx.shopName });
  const rows = noticeRows(model, t, when);
  const hint = t('mail.notice.reportHint');
  const notYou = t('mail.notice.notYou', { email: ctx.supportEmail });
  return mailFrame(t, ctx, {
    subject,
    text: [
      subject,
      '',
      ...rows.map(([k, v]) => `${k}: ${v}`),
      '',
      hint,
      `${t('mail.notice.report')}: ${model.reportLink}`,
      '',
      notYou,
    ],
    html: html`<p><strong>${subject}</strong></p>
${noticeTable(rows)}
<p>${hint}</p>${button(model.reportLink, t('mail.notice.report'))}
<p>${notYou}</p>`,
  });
}
