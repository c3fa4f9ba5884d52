import type { MailMessage, MailTemplate } from '../../core/mail-messages.ts';
import { asLocale, translatorFor, type DateStyle, type Translator } from '../i18n/translate.ts';
import { confirmEmailChangeMail } from './confirm-email-change.ts';
import {
  accountRecoveredMail,
  incidentContainedMail,
  incidentDisputedMail,
  objectionInviteMail,
  recoveryOpenMail,
} from './incident-mails.ts';
import type { MailContext, RenderedMail } from './layout.ts';
import { passwordResetMail } from './password-reset.ts';
import { firstPasswordMail } from './first-password.ts';
import { ownershipProvedMail, ownershipProvedPartyMail } from './proof-mails.ts';
import { registrationAttemptMail } from './registration-attempt.ts';
import { securityNoticeMail } from './security-notice.ts';
import { shopChangeDigestMail } from './shop-change-digest.ts';
import { changeHeldMail, signInBlockedMail, signInCodeMail } from './sign-in-mails.ts';
import { verifyEmailMail } from './verify-email.ts';
import { supportReplyMail } from './support-reply.ts';

export type { MailContext, RenderedMail };

type ModelOf<T extends MailTemplate> = Extract<MailMessage, { template: T }>['model'];
type Renderer<T extends MailTemplate> = (
  model: ModelOf<T>,
  t: Translator,
  ctx: MailContext,
  when: DateStyle,
) => RenderedMail;

/** One renderer per template; a template without one fails the type check. */
const RENDERERS: { [T in MailTemplate]: Renderer<T> } = {
  'verify-email': verifyEmailMail,
  'registration-attempt': registrationAttemptMail,
  'password-reset': passwordResetMail,
  'first-password': firstPasswordMail,
  'confirm-email-change': confirmEmailChangeMail,
  'security-notice': securityNoticeMail,
  'shop-change-notice': securityNoticeMail,
  'shop-change-notices': shopChangeDigestMail,
  'incident-contained': incidentContainedMail,
  'incident-objection-invite': objectionInviteMail,
  'incident-disputed': (_model, t, ctx) => incidentDisputedMail(t, ctx),
  'recovery-open': recoveryOpenMail,
  'ownership-proved': ownershipProvedMail,
  'ownership-proved-party': ownershipProvedPartyMail,
  'account-recovered': accountRecoveredMail,
  'sign-in-code': signInCodeMail,
  'sign-in-blocked': signInBlockedMail,
  'support-reply': supportReplyMail,
  'change-held': changeHeldMail,
};

export function renderMail(message: MailMessage, localeValue: string, ctx: MailContext): RenderedMail {
  const locale = asLocale(localeValue, 'en');
  // The map pairs each template with its model's renderer; TypeScript cannot follow that pairing through the union.
  const render = RENDERERS[message.template] as Renderer<MailTemplate>;
  return render(message.model, translatorFor(locale), ctx, { locale, timeZone: ctx.timeZone });
}
