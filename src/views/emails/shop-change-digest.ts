import type { SecurityNoticeModel } from '../../core/mail-messages.ts';
import { html } from '../html.ts';
import type { DateStyle, Translator } from '../i18n/translate.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';
import { noticeRows, noticeTable } from './security-notice.ts';

/**
 * Several changes a shop reported on one account within a short time, in one mail (issue 24 §4): a shop,
 * or an intruder at its checkout, cannot flood the owner's inbox, yet every change is listed with its own
 * facts and its own single-use "This wasn't me" link, exactly as its own notice would have shown it.
 */
export function shopChangeDigestMail(
  model: { notices: SecurityNoticeModel[] },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const subject = t('mail.digest.subject', { shop: ctx.shopName, count: model.notices.length });
  const intro = t('mail.digest.intro');
  const notYou = t('mail.notice.notYou', { email: ctx.supportEmail });
  const items = model.notices.map((notice, i) => ({
    title: `${i + 1}. ${t(`mail.notice.subject.${notice.kind}`, { shop: ctx.shopName })}`,
    rows: noticeRows(notice, t, when),
    link: notice.reportLink,
  }));
  return mailFrame(t, ctx, {
    subject,
    text: [
      subject,
      '',
      intro,
      ...items.flatMap((item) => [
        '',
        item.title,
        ...item.rows.map(([k, v]) => `  ${k}: ${v}`),
        `  ${t('mail.notice.report')}: ${item.link}`,
      ]),
      '',
      notYou,
    ],
    html: html`<p><strong>${subject}</strong></p>
<p>${intro}</p>
${items.map((item) => html`<h3>${item.title}</h3>${noticeTable(item.rows)}${button(item.link, t('mail.notice.report'))}`)}
<p>${notYou}</p>`,
  });
}
