import { z } from 'zod';
import { CARD_BRANDS, containsCardNumber } from '../../core/payment-card.ts';
import { IMPORTED_HASH_FORMATS } from '../../platform/legacy-hashes/index.ts';

/**
 * One customer in an import file (`mamori import accounts`, `POST /api/v1/accounts:import`) and in
 * `mamori export accounts`: the one documented shape, published as JSON Schema beside the OpenAPI
 * document (`/api/v1/import-row.schema.json`). Unknown fields are refused so a typo is not silently lost.
 */

/** Text from a shop's export: bounded, without control characters (PostgreSQL refuses NUL in text). */
const text = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not accepted');

/** Fields where a full card number must never arrive (PCI DSS: Mamori keeps processor references only). */
const noCardNumber = (max: number) =>
  text(max).refine(
    (value) => !containsCardNumber(value),
    'looks like a full card number: send the processor reference',
  );

const isoTime = z.iso.datetime({ offset: true });

export const importAddress = z
  .strictObject({
    recipient: noCardNumber(200).min(1),
    postalCode: noCardNumber(20),
    region: noCardNumber(100),
    city: noCardNumber(100),
    line1: noCardNumber(200).min(1),
    line2: noCardNumber(200).nullish(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. JP'),
  })
  .meta({ id: 'ImportAddress' });

export const importPaymentMethod = z
  .strictObject({
    processorToken: noCardNumber(200)
      .min(1)
      .meta({ description: 'The processor’s reference to the saved card (e.g. a Stripe PaymentMethod id)' }),
    brand: z.enum(CARD_BRANDS),
    last4: z.string().regex(/^\d{4}$/, 'four digits'),
    expMonth: z.int().min(1).max(12),
    expYear: z.int().min(2000).max(2100),
  })
  .meta({ id: 'ImportPaymentMethod', description: 'A saved card as a processor reference; never the number' });

export const importPassword = z
  .strictObject({
    format: z.enum(IMPORTED_HASH_FORMATS).meta({ description: 'See docs/import-hash-formats.md' }),
    hash: text(1024).min(1),
    salt: text(1024).optional().meta({ description: 'The per-customer salt where the format keeps it apart' }),
  })
  .meta({ id: 'ImportPassword', description: 'The hash exactly as the shop’s platform stored it' });

export const importRow = z
  .strictObject({
    shopCustomerId: text(200).min(1).meta({ description: 'The shop’s own customer id; carried in its ID tokens' }),
    email: z.email().max(254),
    emailVerified: z.boolean().default(false),
    name: noCardNumber(200).default(''),
    locale: z.enum(['ja', 'en']).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{4,30}$/, 'a phone number')
      .nullish(),
    addresses: z.array(importAddress).max(50).default([]),
    paymentMethods: z.array(importPaymentMethod).max(50).default([]),
    createdAt: isoTime.optional(),
    lastSignInAt: isoTime.optional(),
    password: importPassword.nullish().meta({ description: 'Left out: she is offered a link to set one' }),
  })
  .meta({ id: 'ImportRow', description: 'One customer in an import file (one JSON object per line)' });

export type ImportRow = z.infer<typeof importRow>;

/** The import row as JSON Schema (draft 2020-12), served beside the OpenAPI document. */
export function importRowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(importRow, { io: 'input' }) as Record<string, unknown>;
}
