/**
 * OpenID Shared Signals (SSF 1.0) events as Mamori sends them: RFC 8417 Security Event Tokens, one event
 * each, about a subject named by `sub_id` (RFC 9493), never `sub` or `exp` (SSF §4.1–4.2).
 */
import type { ShopItemType, ShopUndoAction } from '../shop/shop-changes.ts';

const SECEVENT = 'https://schemas.openid.net/secevent';

/** Where a shop answers one undo request (PUT, `/api/v1`). */
export const UNDO_REQUEST_ANSWER_PATH = '/api/v1/undo-requests/';

export const EVENT_TYPES = {
  'account-disabled': `${SECEVENT}/risc/event-type/account-disabled`,
  'account-enabled': `${SECEVENT}/risc/event-type/account-enabled`,
  'account-credential-change-required': `${SECEVENT}/risc/event-type/account-credential-change-required`,
  'identifier-changed': `${SECEVENT}/risc/event-type/identifier-changed`,
  'recovery-information-changed': `${SECEVENT}/risc/event-type/recovery-information-changed`,
  'session-revoked': `${SECEVENT}/caep/event-type/session-revoked`,
  'credential-change': `${SECEVENT}/caep/event-type/credential-change`,
  verification: `${SECEVENT}/ssf/event-type/verification`,
} as const;

/**
 * Mamori's own event, named under the issuer (RFC 8417 §2.2: a URI the issuer controls): containment asks
 * the shop to undo one thing it reported (hold an order), and the shop answers at `answer_endpoint`.
 */
export const UNDO_REQUESTED_PATH = '/secevent/event-type/undo-requested';

export type EventName = keyof typeof EVENT_TYPES | 'undo-requested';

export function eventTypeUri(name: EventName, issuer: string): string {
  return name === 'undo-requested' ? `${issuer}${UNDO_REQUESTED_PATH}` : EVENT_TYPES[name];
}

/** What a stream can ask for: every type but verification, which is sent when asked, to every stream. */
export function deliverableEvents(issuer: string): string[] {
  return [
    ...Object.values(EVENT_TYPES).filter((type) => type !== EVENT_TYPES.verification),
    eventTypeUri('undo-requested', issuer),
  ];
}

export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

export type Subject =
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'email'; email: string }
  | { format: 'opaque'; id: string };

/** CAEP credential-change §3.3: the credential types Mamori has (recovery codes are RISC recovery information). */
export type CredentialType = 'password' | 'app' | 'fido2-platform';
export type CredentialChange = 'create' | 'update' | 'delete';

/** One event as queued: everything the SET will say, fixed when the change commits. */
export type SecurityEvent =
  | { name: 'account-disabled'; accountId: string; reason: 'hijacking' }
  | { name: 'account-enabled'; accountId: string }
  | { name: 'account-credential-change-required'; accountId: string }
  /** Without the addresses for a shop that was not given them (core/ssf/audience.ts). */
  | { name: 'identifier-changed'; accountId: string; oldEmail?: string; newEmail?: string }
  | { name: 'recovery-information-changed'; accountId: string }
  | { name: 'session-revoked'; accountId: string; initiatingEntity: 'user' | 'admin' | 'policy' | 'system' }
  | { name: 'credential-change'; accountId: string; credentialType: CredentialType; changeType: CredentialChange }
  | { name: 'verification'; streamId: string; state?: string }
  | {
      name: 'undo-requested';
      accountId: string;
      /** Only the shop that reported the change is asked. */
      clientId: string;
      requestId: string;
      action: ShopUndoAction;
      item: { type: ShopItemType; id: string };
      /** A decision about a held order (`release-order`, `cancel-order`) names the `hold-order` request it follows. */
      follows?: string;
    };

/** An event to send, and the incident that ties it to others (`txn`), if any. */
export interface EventToSend {
  event: SecurityEvent;
  txn?: string;
}

/**
 * The subject a receiver knows the account by: the `sub` its ID tokens carry, under this issuer; for a
 * changed address, the old address (RISC §2.5) if the shop may know it; for verification, the stream (SSF §8.1.4.1).
 */
export function subjectOf(event: SecurityEvent, issuer: string): Subject {
  if (event.name === 'verification') return { format: 'opaque', id: event.streamId };
  if (event.name === 'identifier-changed' && event.oldEmail !== undefined)
    return { format: 'email', email: event.oldEmail };
  return { format: 'iss_sub', iss: issuer, sub: event.accountId };
}

function eventBody(event: SecurityEvent, occurredAtSeconds: number, issuer: string): Record<string, unknown> {
  switch (event.name) {
    case 'account-disabled':
      return { reason: event.reason };
    case 'account-enabled':
    case 'account-credential-change-required':
    case 'recovery-information-changed':
      return {};
    case 'identifier-changed':
      return event.newEmail === undefined ? {} : { 'new-value': event.newEmail };
    case 'credential-change':
      return {
        credential_type: event.credentialType,
        change_type: event.changeType,
        event_timestamp: occurredAtSeconds,
      };
    case 'session-revoked':
      return { event_timestamp: occurredAtSeconds, initiating_entity: event.initiatingEntity };
    case 'verification':
      return event.state === undefined ? {} : { state: event.state };
    case 'undo-requested':
      return {
        request_id: event.requestId,
        action: event.action,
        item: event.item,
        ...(event.follows ? { follows: event.follows } : {}),
        answer_endpoint: `${issuer}${UNDO_REQUEST_ANSWER_PATH}${event.requestId}`,
        event_timestamp: occurredAtSeconds,
      };
  }
}

/** The SET's claims (RFC 8417 §2.2; SSF §4.1): `txn` ties together the events of one incident. */
export function securityEventClaims(input: {
  event: SecurityEvent;
  issuer: string;
  audience: string;
  jti: string;
  occurredAtSeconds: number;
  txn?: string;
}): Record<string, unknown> {
  return {
    iss: input.issuer,
    aud: input.audience,
    jti: input.jti,
    iat: input.occurredAtSeconds,
    ...(input.txn ? { txn: input.txn } : {}),
    sub_id: subjectOf(input.event, input.issuer),
    events: {
      [eventTypeUri(input.event.name, input.issuer)]: eventBody(input.event, input.occurredAtSeconds, input.issuer),
    },
  };
}
