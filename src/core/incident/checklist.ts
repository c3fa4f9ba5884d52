import type { UndoStep } from './undo-plan.ts';

/** What the owner should do after recovery, built from what was undone (the story's step 4, done for them). */
export const CHECKLIST_ITEMS = [
  'reenter-payment-methods',
  'confirm-addresses',
  'review-subscriptions',
  'review-orders',
  'review-activity',
] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

export function buildChecklist(steps: readonly UndoStep[]): ChecklistItem[] {
  const items = new Set<ChecklistItem>();
  for (const step of steps) {
    if (
      step.kind === 'payment-method-added' ||
      step.kind === 'payment-method-removed' ||
      step.kind === 'shop-payment-method-saved'
    )
      items.add('reenter-payment-methods');
    if (step.kind === 'address-added' || step.kind === 'address-removed' || step.kind === 'shop-address-saved')
      items.add('confirm-addresses');
    if (step.kind === 'subscription-changed' || step.kind === 'shop-subscription-started')
      items.add('review-subscriptions');
  }
  items.add('review-orders');
  items.add('review-activity');
  return CHECKLIST_ITEMS.filter((item) => items.has(item));
}
