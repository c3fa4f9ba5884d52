import { DomainError } from '../core/errors.ts';
import { cardNumberFields } from '../core/payment-card.ts';

/**
 * The one check every string Mamori accepts passes through (issue 24 §3): `/api/v1` bodies, queries and
 * paths (api-v1.ts `parsed`) and every form (form-input.ts `parseForm`). Anything that holds a card
 * number is refused before it can reach the append-only account log, a notice or an outbox row, and
 * the refusal names each field without repeating the number (PCI DSS: no PAN in a log that cannot be
 * edited). A customer's own words to support are masked by their field instead (form-input.ts
 * `customerText`), so they arrive here without a number and pass.
 */
export function refuseCardNumbers(value: unknown): void {
  const found = cardNumberFields(value);
  if (found.length === 0) return;
  // Named, but bounded: a hostile body cannot make the refusal itself large.
  const fields = found.slice(0, 20).map((field) => (field.length > 200 ? `${field.slice(0, 199)}…` : field));
  throw new DomainError('CARD_NUMBER_REFUSED', {
    fields: fields.map((field) => ({ field, code: 'CARD_NUMBER_REFUSED' })),
    reason: `${fields.join(', ')}: looks like a payment card number; Mamori never stores card numbers`,
  });
}
