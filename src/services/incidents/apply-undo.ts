import type { ChangeActor } from '../../core/change-kinds.ts';
import { isShopAction, type UndoAction, type UndoStep } from '../../core/incident/undo-plan.ts';
import { findAccountByEmail, updateAccount } from '../../store/accounts.ts';
import { findTotpFactor, totpAddedAt, voidRecoveryCodes } from '../../store/factors.ts';
import { passkeyAddedAt } from '../../store/passkeys.ts';
import { setRemovedAt, type RemovableTable } from '../../store/profile.ts';
import type { Executor } from '../../store/database.ts';
import { recordChanges, SYSTEM_ACTOR } from '../account-log/change-log.ts';
import type { ServiceDeps } from '../deps.ts';
import { reinstateTotp, restoreRecoveryCodesBefore } from '../second-factors/totp.ts';
import { askShopToUndo } from '../shop-changes/undo-requests.ts';

/** `asked`: the shop that reported the change was asked to undo it; its answer is kept beside the incident. */
export type AppliedStep = UndoStep & { outcome: 'undone' | 'asked' | 'skipped' | 'failed'; reason?: string };

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const factorTable = (value: Record<string, unknown> | null | undefined) =>
  value?.factor === 'passkey' ? 'passkeys' : 'totp_factors';

/**
 * Steps that only mark a row removed or back in use. An attacker adds addresses and cards by the dozen,
 * and one statement per row was most of a containment's time on PostgreSQL (50 of its 88 round trips).
 */
const ROW_TOGGLES: Partial<Record<UndoAction, { table: RemovableTable; removes: boolean }>> = {
  'remove-address': { table: 'addresses', removes: true },
  'restore-address': { table: 'addresses', removes: false },
  'remove-payment-method': { table: 'payment_methods', removes: true },
  'restore-payment-method': { table: 'payment_methods', removes: false },
};

/** Applies one step inside the containment transaction; returns whether it could be done. */
async function applyStep(
  trx: Executor,
  deps: ServiceDeps,
  incidentId: string,
  accountId: string,
  step: UndoStep,
): Promise<AppliedStep> {
  const now = deps.clock.now().toISOString();
  if (!step.selected || step.action === 'none') return { ...step, outcome: 'skipped' };
  // Row toggles are applied in runs by applyUndo, never one by one.
  if (ROW_TOGGLES[step.action]) throw new Error(`${step.action} is applied in a run`);
  if (isShopAction(step.action))
    return (await askShopToUndo(trx, deps, incidentId, accountId, step))
      ? { ...step, outcome: 'asked' }
      : { ...step, outcome: 'failed', reason: 'no-shop-item' };
  switch (step.action) {
    case 'restore-email': {
      const email = text(step.restore?.email);
      if (!email) return { ...step, outcome: 'failed', reason: 'nothing-to-restore' };
      const holder = await findAccountByEmail(trx, email);
      if (holder && holder.id !== accountId) return { ...step, outcome: 'failed', reason: 'email-in-use' };
      await updateAccount(trx, accountId, { email, email_verified_at: now, updated_at: now });
      break;
    }
    case 'restore-phone':
      await updateAccount(trx, accountId, { phone: text(step.restore?.phone), updated_at: now });
      break;
    case 'restore-name':
      await updateAccount(trx, accountId, { name: text(step.restore?.name) ?? '', updated_at: now });
      break;
    case 'remove-second-factor': {
      const table = factorTable(step.after);
      // Codes issued with the attacker's factor go with it. They were written when it was added, which
      // can be a moment before the log entry's time: the factor's own time bounds them.
      const addedAt =
        (await (table === 'passkeys' ? passkeyAddedAt : totpAddedAt)(trx, accountId, step.subjectId ?? '')) ??
        step.occurredAt;
      await setRemovedAt(trx, table, accountId, [step.subjectId ?? ''], now);
      await voidRecoveryCodes(trx, accountId, now, addedAt);
      break;
    }
    case 'restore-second-factor': {
      if (factorTable(step.before) === 'passkeys') {
        await setRemovedAt(trx, 'passkeys', accountId, [step.subjectId ?? ''], null);
        break;
      }
      const factor = await findTotpFactor(trx, accountId, step.subjectId ?? '');
      if (!factor) return { ...step, outcome: 'failed', reason: 'nothing-to-restore' };
      // Back in use with the owner's recovery codes; whatever replaced it is retired.
      await reinstateTotp(trx, deps, factor);
      break;
    }
    case 'restore-recovery-codes': {
      const renewedAt = text(step.after?.issued_at);
      if (!renewedAt) return { ...step, outcome: 'failed', reason: 'nothing-to-restore' };
      await restoreRecoveryCodesBefore(trx, deps, accountId, renewedAt);
      break;
    }
    case 'restore-subscription':
      await trx
        .updateTable('subscriptions')
        .set({
          interval: text(step.restore?.interval) ?? 'monthly',
          status: text(step.restore?.status) ?? 'active',
          updated_at: now,
        })
        .where('id', '=', step.subjectId ?? '')
        .where('account_id', '=', accountId)
        .execute();
      break;
  }
  return { ...step, outcome: 'undone' };
}

/** Newest first, as planned: each inversion sees the state the later changes left. Logged in one append. */
export async function applyUndo(
  trx: Executor,
  deps: ServiceDeps,
  incident: { id: string; accountId: string },
  steps: readonly UndoStep[],
  actor: ChangeActor = SYSTEM_ACTOR,
): Promise<AppliedStep[]> {
  const { accountId } = incident;
  const applied: AppliedStep[] = [];
  for (let start = 0; start < steps.length;) {
    const step = steps[start] as UndoStep;
    const toggle = step.selected ? ROW_TOGGLES[step.action] : undefined;
    if (!toggle) {
      applied.push(await applyStep(trx, deps, incident.id, accountId, step));
      start += 1;
      continue;
    }
    // A run of one toggle marks distinct rows (or one row the same way twice): one statement keeps the order's result.
    let end = start + 1;
    while (end < steps.length && steps[end]?.selected && steps[end]?.action === step.action) end += 1;
    const run = steps.slice(start, end);
    const at = toggle.removes ? deps.clock.now().toISOString() : null;
    await setRemovedAt(
      trx,
      toggle.table,
      accountId,
      run.map((s) => s.subjectId ?? ''),
      at,
    );
    applied.push(...run.map((s): AppliedStep => ({ ...s, outcome: 'undone' })));
    start = end;
  }
  await recordChanges(
    trx,
    deps,
    accountId,
    applied
      .filter((step) => step.outcome === 'undone')
      .map((step) => ({
        accountId,
        kind: 'change-undone' as const,
        actor,
        subjectId: step.changeId,
        before: step.after,
        after: step.restore ?? { undone: step.kind },
      })),
    incident.id,
  );
  return applied;
}
