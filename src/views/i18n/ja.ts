import type { MessageKey } from './en.ts';
import { imported } from './ja/imported.ts';
import { mails } from './ja/mails.ts';
import { orders } from './ja/orders.ts';
import { pages } from './ja/pages.ts';
import { proof } from './ja/proof.ts';
import { shops } from './ja/shops.ts';
import { staff } from './ja/staff.ts';

/** The Japanese catalog, by the same areas; each area is typed by its English twin. */
export const ja: Record<MessageKey, string> = {
  ...pages,
  ...mails,
  ...staff,
  ...shops,
  ...orders,
  ...proof,
  ...imported,
};
