import type { OrderSummary } from './shop/held-orders.ts';
/**
 * The messages Mamori sends, as typed models. Services build them; src/views/emails renders them at
 * delivery time. The model holds links with single-use tokens, so the outbox erases it once sent.
 */
import type { CustomerChangeKind } from './change-kinds.ts';
import type { DelayableChangeKind } from './risk/change-delay.ts';

export interface SecurityNoticeModel {
  kind: CustomerChangeKind;
  occurredAt: string;
  device: string;
  ip: string;
  area: string | null;
  before: string | null;
  after: string | null;
  /** "This wasn't me": opens a page that shows what happened; only its button acts. */
  reportLink: string;
}

export interface IncidentMailModel {
  statusLink: string;
  /** Null when no wait runs: the report may not be the owner's, and a person decides. */
  waitUntil: string | null;
  undone: number;
  /** The orders the shop was asked to hold until the owner decides (older queued mail has none). */
  heldOrders?: OrderSummary[];
}

/** Which factor the owner held before the intrusion proved her: "a passkey held since 3 March". */
export interface ProofModel {
  kind: 'passkey' | 'totp' | 'recovery-code';
  heldSince: string;
}

/** Where a sign-in or change came from, as a notice shows it. */
export interface OriginModel {
  device: string;
  ip: string;
  area: string | null;
  occurredAt: string;
}

export type MailMessage =
  | { template: 'verify-email'; model: { name: string; link: string } }
  | { template: 'registration-attempt'; model: { signInLink: string; resetLink: string } }
  | { template: 'password-reset'; model: { link: string; expiresMinutes: number } }
  | { template: 'first-password'; model: { link: string; expiresMinutes: number } }
  | { template: 'confirm-email-change'; model: { link: string; oldEmailMasked: string; expiresHours: number } }
  | { template: 'security-notice'; model: SecurityNoticeModel }
  /** A notice caused by a shop's report: mailed with the account's other such notices of the moment (issue 24 §4). */
  | { template: 'shop-change-notice'; model: SecurityNoticeModel }
  /** Several shop-change notices to one address in one mail, each item with its own "This wasn't me" link. */
  | { template: 'shop-change-notices'; model: { notices: SecurityNoticeModel[] } }
  | { template: 'incident-contained'; model: IncidentMailModel }
  | {
      template: 'incident-objection-invite';
      model: { objectLink: string; waitUntil: string; accountEmailMasked: string };
    }
  | { template: 'incident-disputed'; model: { objectedAt: string } }
  | { template: 'recovery-open'; model: { recoveryLink: string } }
  | { template: 'ownership-proved'; model: ProofModel & { at: string; recoveryLink: string; statusLink: string } }
  | { template: 'ownership-proved-party'; model: ProofModel & { objectLink: string } }
  | { template: 'account-recovered'; model: OriginModel & { statusLink: string } }
  | { template: 'sign-in-code'; model: OriginModel & { code: string; expiresMinutes: number; secureLink?: string } }
  | { template: 'sign-in-blocked'; model: OriginModel & { resetLink: string } }
  | { template: 'support-reply'; model: { body: string; staffName: string } }
  | {
      template: 'change-held';
      model: OriginModel & { kind: DelayableChangeKind; detail: string | null; applyAt: string; cancelLink: string };
    };

export type MailTemplate = MailMessage['template'];
