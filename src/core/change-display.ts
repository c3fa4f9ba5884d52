import { isShopChange, type ChangeKind, type ChangeValue } from './change-kinds.ts';
import { shopChangeSummary } from './shop/shop-changes.ts';
import { maskEmail, maskPhone } from './email-address.ts';

/**
 * How a change's before/after values are shown in notices and on pages: enough for the owner to
 * recognise, masked where private (addresses as city and postal code, cards as brand and last 4).
 */
export function displayValue(
  kind: ChangeKind,
  value: ChangeValue | null,
  audience: 'owner' | 'other',
  locale = 'en',
): string | null {
  if (!value) return null;
  if (isShopChange(kind)) return shopChangeSummary(value, locale);
  if (typeof value.email === 'string') return audience === 'owner' ? value.email : maskEmail(value.email);
  if (typeof value.phone === 'string') return maskPhone(value.phone);
  if (kind === 'name-changed' && typeof value.name === 'string') return value.name;
  if (typeof value.last4 === 'string') return `${String(value.brand ?? '').toUpperCase()} •••• ${value.last4}`;
  if (typeof value.city === 'string') return `〒${value.postal_code ?? ''} ${value.region ?? ''} ${value.city}`;
  if (typeof value.status === 'string' && typeof value.interval === 'string')
    return `${value.plan ?? ''} ${value.interval} ${value.status}`.trim();
  return null;
}
