import type { OriginModel } from '../../core/mail-messages.ts';
import type { DelayableChangeKind } from '../../core/risk/change-delay.ts';
import { html } from '../html.ts';
import { formatDateTime, type DateStyle, type Translator } from '../i18n/translate.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';
import { originRows, rowsTable, rowsText } from './origin-rows.ts';

/** The code for a challenged sign-in. The code is the subject of the mail, never of a log line. */
export function signInCodeMail(
  model: OriginModel & { code: string; expiresMinutes: number; secureLink?: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const subject = t('mail.code.subject', { shop: ctx.shopName });
  const body = t('mail.code.body', { minutes: model.expiresMinutes });
  const warning = t('mail.code.notYou', { email: ctx.supportEmail });
  const rows = originRows(model, t, when);
  // Not only a warning: the next step, one button (a mail queued before the button existed has none).
  const secure = model.secureLink
    ? { text: ['', t('mail.code.secureLead'), `${t('mail.code.secure')}: ${model.secureLink}`], link: model.secureLink }
    : null;
  return mailFrame(t, ctx, {
    subject,
    text: [body, '', model.code, '', ...rowsText(rows), '', warning, ...(secure?.text ?? [])],
    html: html`<p>${body}</p><p style="font-size:2em;letter-spacing:0.2em;font-family:monospace"><strong>${model.code}</strong></p>${rowsTable(rows)}<p>${warning}</p>${
      secure ? html`<p>${t('mail.code.secureLead')}</p>${button(secure.link, t('mail.code.secure'))}` : ''
    }`,
  });
}

/** The right password was used from somewhere we refused: the owner learns it is known to someone. */
export function signInBlockedMail(
  model: OriginModel & { resetLink: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const subject = t('mail.blocked.subject', { shop: ctx.shopName });
  const body = t('mail.blocked.body');
  const rows = originRows(model, t, when);
  const help = t('mail.notice.notYou', { email: ctx.supportEmail });
  return mailFrame(t, ctx, {
    subject,
    text: [body, '', ...rowsText(rows), '', `${t('mail.blocked.action')}: ${model.resetLink}`, '', help],
    html: html`<p>${body}</p>${rowsTable(rows)}${button(model.resetLink, t('mail.blocked.action'))}<p>${help}</p>`,
  });
}

/** A held change: what, from where, when it takes effect, and the one button that stops it. */
export function changeHeldMail(
  model: OriginModel & { kind: DelayableChangeKind; detail: string | null; applyAt: string; cancelLink: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const subject = t('mail.held.subject', { shop: ctx.shopName });
  const what = model.detail ? `${t(`held.kind.${model.kind}`)}: ${model.detail}` : t(`held.kind.${model.kind}`);
  const rows: [string, string][] = [[t('mail.notice.what'), what], ...originRows(model, t, when)];
  const body = t('mail.held.body', { until: formatDateTime(when, model.applyAt) });
  const help = t('mail.notice.notYou', { email: ctx.supportEmail });
  return mailFrame(t, ctx, {
    subject,
    text: [body, '', ...rowsText(rows), '', `${t('mail.held.action')}: ${model.cancelLink}`, '', help],
    html: html`<p>${body}</p>${rowsTable(rows)}${button(model.cancelLink, t('mail.held.action'))}<p>${help}</p>`,
  });
}
