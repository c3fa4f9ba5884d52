import type { ChangeRecord, ChangeValue, CustomerChangeKind } from '../change-kinds.ts';
import { isCustomerChange, isShopChange } from '../change-kinds.ts';
import { SHOP_UNDO, type ShopUndoAction } from '../shop/shop-changes.ts';

/**
 * Undo planning: every change since the compromise point made by a suspect actor, inverted newest
 * first. A change the owner made later to the same thing from a trusted device is a conflict: it is
 * flagged and left unticked for a person, never guessed.
 */
export type UndoAction =
  | 'restore-email'
  | 'restore-phone'
  | 'restore-name'
  | 'remove-address'
  | 'restore-address'
  | 'remove-payment-method'
  | 'restore-payment-method'
  | 'restore-subscription'
  | 'remove-second-factor'
  | 'restore-second-factor'
  | 'restore-recovery-codes'
  /** Done by the shop that reported the change: containment asks it, and its answer is shown. */
  | `shop-${ShopUndoAction}`
  | 'none';

export type UndoNote = 'password-disabled' | 'sessions-revoked' | 'link-voided' | 'origin-unknown' | null;

export interface UndoStep {
  changeId: string;
  kind: CustomerChangeKind;
  action: UndoAction;
  note: UndoNote;
  subjectId: string | null;
  /** The value to put back (for restores). */
  restore: ChangeValue | null;
  before: ChangeValue | null;
  after: ChangeValue | null;
  occurredAt: string;
  selected: boolean;
  conflict: 'changed-later-by-owner' | null;
}

export interface Suspects {
  compromiseAt: string;
  sessionIds: ReadonlySet<string>;
  deviceIds: ReadonlySet<string>;
}

function actionFor(kind: CustomerChangeKind): { action: UndoAction; note: UndoNote } {
  switch (kind) {
    case 'email-changed':
      return { action: 'restore-email', note: null };
    case 'phone-changed':
      return { action: 'restore-phone', note: null };
    case 'name-changed':
      return { action: 'restore-name', note: null };
    case 'address-added':
      return { action: 'remove-address', note: null };
    case 'address-removed':
      return { action: 'restore-address', note: null };
    case 'payment-method-added':
      return { action: 'remove-payment-method', note: null };
    case 'payment-method-removed':
      return { action: 'restore-payment-method', note: null };
    case 'subscription-changed':
      return { action: 'restore-subscription', note: null };
    case 'second-factor-added':
      return { action: 'remove-second-factor', note: null };
    case 'second-factor-removed':
      return { action: 'restore-second-factor', note: null };
    case 'recovery-code-used':
      return { action: 'none', note: 'sessions-revoked' };
    case 'recovery-codes-renewed':
      return { action: 'restore-recovery-codes', note: null };
    case 'password-disabled-after-failures':
      return { action: 'none', note: 'password-disabled' };
    case 'password-changed':
    case 'password-reset':
      return { action: 'none', note: 'password-disabled' };
    case 'new-device-sign-in':
      return { action: 'none', note: 'sessions-revoked' };
    case 'email-change-requested':
      return { action: 'none', note: 'link-voided' };
    default:
      return { action: `shop-${SHOP_UNDO[kind].action}`, note: null };
  }
}

export function isShopAction(action: UndoAction): action is `shop-${ShopUndoAction}` {
  return action.startsWith('shop-');
}

/** A shop change its shop reported without saying which sign-in made it: nobody can tell whose it was. */
function originUnknown(change: ChangeRecord): boolean {
  return isShopChange(change.kind) && change.actor.sessionId === null && change.actor.deviceId === null;
}

/**
 * What a change touches; two changes with the same target can conflict. An account has one authenticator
 * app in use at a time, so every TOTP change touches the same thing (bringing back the owner's old one
 * would retire one the owner set up since); passkeys sit side by side, each its own target.
 */
export function targetOf(change: Pick<ChangeRecord, 'kind' | 'subjectId' | 'before' | 'after'>): string | null {
  switch (change.kind) {
    case 'email-changed':
      return 'email';
    case 'phone-changed':
      return 'phone';
    case 'name-changed':
      return 'name';
    case 'address-added':
    case 'address-removed':
      return `address:${change.subjectId}`;
    case 'payment-method-added':
    case 'payment-method-removed':
      return `payment-method:${change.subjectId}`;
    case 'subscription-changed':
      return `subscription:${change.subjectId}`;
    case 'second-factor-added':
    case 'second-factor-removed':
      return (change.after ?? change.before)?.factor === 'passkey' ? `passkey:${change.subjectId}` : 'totp';
    case 'recovery-codes-renewed':
      return 'recovery-codes';
    default:
      return null;
  }
}

export function isSuspect(change: ChangeRecord, suspects: Suspects): boolean {
  if (change.occurredAt < suspects.compromiseAt) return false;
  return (
    (change.actor.sessionId !== null && suspects.sessionIds.has(change.actor.sessionId)) ||
    (change.actor.deviceId !== null && suspects.deviceIds.has(change.actor.deviceId))
  );
}

export function planUndo(changes: readonly ChangeRecord[], suspects: Suspects): UndoStep[] {
  const since = changes
    .filter((c) => c.occurredAt >= suspects.compromiseAt && isCustomerChange(c.kind))
    .sort((a, b) => b.seq - a.seq);
  const steps: UndoStep[] = [];
  for (const change of since) {
    if (!isCustomerChange(change.kind)) continue;
    // Listed for the reporter to tick, never ticked for them: it may have been the owner's own order.
    const unknown = originUnknown(change);
    if (!unknown && !isSuspect(change, suspects)) continue;
    const planned = actionFor(change.kind);
    const { action } = planned;
    const note = unknown ? 'origin-unknown' : planned.note;
    const target = targetOf(change);
    const ownerChangedLater =
      target !== null &&
      since.some((later) => later.seq > change.seq && !isSuspect(later, suspects) && targetOf(later) === target);
    steps.push({
      changeId: change.id,
      kind: change.kind,
      action,
      note,
      subjectId: change.subjectId,
      restore: action.startsWith('restore') ? change.before : null,
      before: change.before,
      after: change.after,
      occurredAt: change.occurredAt,
      selected: action !== 'none' && !ownerChangedLater && !unknown,
      conflict: ownerChangedLater ? 'changed-later-by-owner' : null,
    });
  }
  return steps;
}

/** Applies the reporter's choices: only actionable, conflict-free steps can be ticked. */
export function withSelection(steps: readonly UndoStep[], chosen: ReadonlySet<string>): UndoStep[] {
  return steps.map((step) => ({
    ...step,
    selected: step.action !== 'none' && step.conflict === null && chosen.has(step.changeId),
  }));
}
