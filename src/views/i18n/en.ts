import { imported } from './en/imported.ts';
import { mails } from './en/mails.ts';
import { orders } from './en/orders.ts';
import { pages } from './en/pages.ts';
import { proof } from './en/proof.ts';
import { shops } from './en/shops.ts';
import { staff } from './en/staff.ts';

/** The English catalog, by area: customer pages, mails, and the support desk. */
export const en = { ...pages, ...mails, ...staff, ...shops, ...orders, ...proof, ...imported } as const;

export type MessageKey = keyof typeof en;
