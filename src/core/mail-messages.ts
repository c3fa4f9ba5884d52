/**
 * The messages Mamori sends, as typed models. Services build them; src/views/emails renders them at
 * delivery time. The model holds links with single-use tokens, so the outbox erases it once sent.
 */
export type SecurityChangeKind =
  | 'password-changed'
  | 'password-reset'
  | 'email-changed'
  | 'email-change-requested'
  | 'phone-changed'
  | 'payment-method-added'
  | 'payment-method-removed'
  | 'address-added'
  | 'address-removed';

export interface SecurityNoticeModel {
  kind: SecurityChangeKind;
  occurredAt: string;
  device: string;
  ip: string;
  before: string | null;
  after: string | null;
}

export type MailMessage =
  | { template: 'verify-email'; model: { name: string; link: string } }
  | { template: 'registration-attempt'; model: { signInLink: string; resetLink: string } }
  | { template: 'password-reset'; model: { link: string; expiresMinutes: number } }
  | { template: 'confirm-email-change'; model: { link: string; oldEmailMasked: string; expiresHours: number } }
  | { template: 'security-notice'; model: SecurityNoticeModel };

export type MailTemplate = MailMessage['template'];
