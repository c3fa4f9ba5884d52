import type { ChangeRecord } from '../change-kinds.ts';
import type { CredentialType, EventToSend } from './security-events.ts';

function factorType(value: ChangeRecord['before']): CredentialType {
  return value?.factor === 'passkey' ? 'fido2-platform' : 'app';
}

/**
 * Shops hear of an account's security changes from its log (issue 15): the same entry that is the record
 * is the event, so nothing changes without the shops being told. Ending sessions is not a log entry and
 * is sent where sessions end.
 */
export function eventsForChange(record: ChangeRecord): EventToSend[] {
  const accountId = record.accountId;
  switch (record.kind) {
    case 'password-changed':
    case 'password-reset':
      return [{ event: { name: 'credential-change', accountId, credentialType: 'password', changeType: 'update' } }];
    case 'second-factor-added':
      return [
        {
          event: {
            name: 'credential-change',
            accountId,
            credentialType: factorType(record.after),
            changeType: 'create',
          },
        },
      ];
    case 'second-factor-removed':
      return [
        {
          event: {
            name: 'credential-change',
            accountId,
            credentialType: factorType(record.before),
            changeType: 'delete',
          },
        },
      ];
    case 'recovery-codes-renewed':
      return [{ event: { name: 'recovery-information-changed', accountId } }];
    // An address changed, or an intruder's address undone back to the owner's: either way the shop's
    // record of who this is changes.
    case 'email-changed':
    case 'change-undone': {
      const oldEmail = record.before?.email;
      const newEmail = record.after?.email;
      return typeof oldEmail === 'string' && typeof newEmail === 'string' && oldEmail !== newEmail
        ? [{ event: { name: 'identifier-changed', accountId, oldEmail, newEmail } }]
        : [];
    }
    case 'password-disabled-after-failures':
      return [{ event: { name: 'account-credential-change-required', accountId } }];
    // Sent when containment starts, before the events of the undo (containmentEvents), not when it is logged.
    case 'account-contained':
      return [];
    case 'account-recovered':
      return [{ event: { name: 'account-enabled', accountId }, txn: record.subjectId ?? undefined }];
    default:
      return [];
  }
}

/**
 * Contained: the account is disabled as hijacked, and its password is switched off until recovery. The
 * shops hear this first, before the sessions end and the undo's events (an address restored) arrive, so
 * a receiver never acts on a restored address of an account it still thinks enabled; `txn` is the
 * incident, as on every event the containment causes.
 */
export function containmentEvents(accountId: string, incidentId: string): EventToSend[] {
  return [
    { event: { name: 'account-disabled', accountId, reason: 'hijacking' }, txn: incidentId },
    { event: { name: 'account-credential-change-required', accountId }, txn: incidentId },
  ];
}
