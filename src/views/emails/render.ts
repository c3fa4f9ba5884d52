import type { MailMessage } from '../../core/mail-messages.ts';
import { asLocale, translatorFor } from '../i18n/translate.ts';
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
import { registrationAttemptMail } from './registration-attempt.ts';
import { securityNoticeMail } from './security-notice.ts';
import { changeHeldMail, signInBlockedMail, signInCodeMail } from './sign-in-mails.ts';
import { verifyEmailMail } from './verify-email.ts';
import { supportReplyMail } from './support-reply.ts';

export type { MailContext, RenderedMail };

export function renderMail(message: MailMessage, localeValue: string, ctx: MailContext): RenderedMail {
  const locale = asLocale(localeValue, 'en');
  const t = translatorFor(locale);
  const when = { locale, timeZone: ctx.timeZone };
  switch (message.template) {
    case 'verify-email':
      return verifyEmailMail(message.model, t, ctx);
    case 'registration-attempt':
      return registrationAttemptMail(message.model, t, ctx);
    case 'password-reset':
      return passwordResetMail(message.model, t, ctx);
    case 'confirm-email-change':
      return confirmEmailChangeMail(message.model, t, ctx);
    case 'security-notice':
      return securityNoticeMail(message.model, t, ctx, when);
    case 'incident-contained':
      return incidentContainedMail(message.model, t, ctx, when);
    case 'incident-objection-invite':
      return objectionInviteMail(message.model, t, ctx, when);
    case 'incident-disputed':
      return incidentDisputedMail(t, ctx);
    case 'recovery-open':
      return recoveryOpenMail(message.model, t, ctx);
    case 'account-recovered':
      return accountRecoveredMail(message.model, t, ctx, when);
    case 'sign-in-code':
      return signInCodeMail(message.model, t, ctx, when);
    case 'sign-in-blocked':
      return signInBlockedMail(message.model, t, ctx, when);
    case 'support-reply':
      return supportReplyMail(message.model, t, ctx);
    case 'change-held':
      return changeHeldMail(message.model, t, ctx, when);
  }
}
