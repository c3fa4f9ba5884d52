import type { ProofModel } from '../../core/mail-messages.ts';
import { html } from '../html.ts';
import { formatDateTime, type DateStyle, type Translator } from '../i18n/translate.ts';
import { button, mailFrame, type MailContext, type RenderedMail } from './layout.ts';

/** "a passkey held since 3 Mar 2026": the factor in words, never its name or any secret. */
export function proofInWords(t: Translator, when: DateStyle, model: ProofModel): string {
  return t('proof.words', { factor: t(`proof.kind.${model.kind}`), since: formatDateTime(when, model.heldSince) });
}

/** To the owner's address: recovery opened at once, which factor did it, and the way back if the page was closed. */
export function ownershipProvedMail(
  model: ProofModel & { at: string; recoveryLink: string; statusLink: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const body = t('mail.proved.body', {
    shop: ctx.shopName,
    proof: proofInWords(t, when, model),
    at: formatDateTime(when, model.at),
  });
  return mailFrame(t, ctx, {
    subject: t('mail.proved.subject', { shop: ctx.shopName }),
    text: [
      body,
      '',
      `${t('mail.recovery.action')}: ${model.recoveryLink}`,
      '',
      t('mail.proved.notYou'),
      `${t('mail.contained.action')}: ${model.statusLink}`,
    ],
    html: html`<p>${body}</p>${button(model.recoveryLink, t('mail.recovery.action'))}<p>${t('mail.proved.notYou')}</p>${button(model.statusLink, t('mail.contained.action'))}`,
  });
}

/** To the party the report works against: the owner proved it, in words; an objection goes to a person. */
export function ownershipProvedPartyMail(
  model: ProofModel & { objectLink: string },
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
): RenderedMail {
  const body = t('mail.provedParty.body', { shop: ctx.shopName, proof: proofInWords(t, when, model) });
  return mailFrame(t, ctx, {
    subject: t('mail.provedParty.subject', { shop: ctx.shopName }),
    text: [body, '', `${t('mail.objection.action')}: ${model.objectLink}`],
    html: html`<p>${body}</p>${button(model.objectLink, t('mail.objection.action'))}`,
  });
}
