import type { UndoStep } from '../../core/incident/undo-plan.ts';
import { updateAccount } from '../../store/accounts.ts';
import type { Executor } from '../../store/database.ts';
import { recordChanges, SYSTEM_ACTOR } from '../change-log.ts';
import type { ServiceDeps } from '../deps.ts';

export type AppliedStep = UndoStep & { outcome: 'undone' | 'skipped' | 'failed'; reason?: string };

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Applies one step inside the containment transaction; returns whether it could be done. */
async function applyStep(trx: Executor, deps: ServiceDeps, accountId: string, step: UndoStep): Promise<AppliedStep> {
  const now = deps.clock.now().toISOString();
  if (!step.selected || step.action === 'none') return { ...step, outcome: 'skipped' };
  switch (step.action) {
    case 'restore-email': {
      const email = text(step.restore?.email);
      if (!email) return { ...step, outcome: 'failed', reason: 'nothing-to-restore' };
      const taken = await trx.selectFrom('accounts').select('id').where('email', '=', email).where('id', '!=', accountId).executeTakeFirst();
      if (taken) return { ...step, outcome: 'failed', reason: 'email-in-use' };
      await updateAccount(trx, accountId, { email, email_verified_at: now, updated_at: now });
      break;
    }
    case 'restore-phone':
      await updateAccount(trx, accountId, { phone: text(step.restore?.phone), updated_at: now });
      break;
    case 'restore-name':
      await updateAccount(trx, accountId, { name: text(step.restore?.name) ?? '', updated_at: now });
      break;
    case 'remove-address':
      await trx.updateTable('addresses').set({ removed_at: now }).where('id', '=', step.subjectId ?? '').where('account_id', '=', accountId).execute();
      break;
    case 'restore-address':
      await trx.updateTable('addresses').set({ removed_at: null }).where('id', '=', step.subjectId ?? '').where('account_id', '=', accountId).execute();
      break;
    case 'remove-payment-method':
      await trx.updateTable('payment_methods').set({ removed_at: now }).where('id', '=', step.subjectId ?? '').where('account_id', '=', accountId).execute();
      break;
    case 'restore-payment-method':
      await trx.updateTable('payment_methods').set({ removed_at: null }).where('id', '=', step.subjectId ?? '').where('account_id', '=', accountId).execute();
      break;
    case 'remove-second-factor':
      await trx.updateTable('totp_factors').set({ removed_at: now }).where('id', '=', step.subjectId ?? '').where('account_id', '=', accountId).execute();
      // Codes issued with the attacker's factor go with it.
      await trx.updateTable('recovery_codes').set({ used_at: now }).where('account_id', '=', accountId).where('created_at', '>=', step.occurredAt).where('used_at', 'is', null).execute();
      break;
    case 'restore-second-factor':
      await trx.updateTable('totp_factors').set({ removed_at: null }).where('id', '=', step.subjectId ?? '').where('account_id', '=', accountId).execute();
      break;
    case 'restore-subscription':
      await trx
        .updateTable('subscriptions')
        .set({ interval: text(step.restore?.interval) ?? 'monthly', status: text(step.restore?.status) ?? 'active', updated_at: now })
        .where('id', '=', step.subjectId ?? '')
        .where('account_id', '=', accountId)
        .execute();
      break;
  }
  return { ...step, outcome: 'undone' };
}

/** Newest first, as planned: each inversion sees the state the later changes left. Logged in one append. */
export async function applyUndo(trx: Executor, deps: ServiceDeps, accountId: string, steps: readonly UndoStep[]): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const step of steps) applied.push(await applyStep(trx, deps, accountId, step));
  await recordChanges(
    trx,
    deps,
    accountId,
    applied
      .filter((step) => step.outcome === 'undone')
      .map((step) => ({ accountId, kind: 'change-undone' as const, actor: SYSTEM_ACTOR, subjectId: step.changeId, before: step.after, after: step.restore ?? { undone: step.kind } })),
  );
  return applied;
}
