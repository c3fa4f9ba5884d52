import { z } from 'zod';
import { legacyKeysSchema } from '../platform/legacy-hashes/index.ts';
import { importRow } from '../services/import/import-row.ts';
import { SHOP_ANSWERS, SHOP_ITEM_TYPES, SHOP_UNDO_ACTIONS } from '../core/shop/shop-changes.ts';

/**
 * The shapes of Mamori's `/api/v1`: what the routes validate requests with, and what they answer. The
 * OpenAPI document (openapi.ts) is generated from these same schemas.
 */

/** Text a shop sends: bounded, and without control characters (PostgreSQL refuses NUL in text). */
const plain = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not accepted');

const streamId = plain(100).meta({ description: 'The stream, as `stream_id` in its configuration' });

export const streamRequest = z
  .strictObject({
    delivery: z
      .strictObject({
        method: plain(200).meta({ description: '`urn:ietf:rfc:8935` (push) or `urn:ietf:rfc:8936` (poll)' }),
        endpoint_url: plain(2000).optional().meta({
          description:
            'Push: where SETs are POSTed; a public address, or a network the operator allows in MAMORI_RECEIVER_ALLOW (else 400 receiver-not-allowed)',
        }),
        authorization_header: plain(4000)
          .optional()
          .meta({ description: 'Push: the Authorization header each POST carries (never read back)' }),
      })
      .optional(),
    events_requested: z.array(plain(200)).max(50).optional().meta({ description: 'Event type URIs; all if left out' }),
    description: plain(500).optional(),
  })
  .meta({ id: 'StreamRequest' });
export const streamUpdate = streamRequest.extend({ stream_id: streamId }).meta({ id: 'StreamUpdate' });
export const streamQuery = z.object({ stream_id: streamId.optional() });
export const statusUpdate = z
  .strictObject({
    stream_id: streamId,
    status: z.enum(['enabled', 'paused', 'disabled']),
    reason: plain(500).optional(),
  })
  .meta({ id: 'StatusUpdate' });
export const verificationRequest = z
  .strictObject({ stream_id: streamId, state: plain(500).optional() })
  .meta({ id: 'VerificationRequest' });
const subject = z
  .strictObject({
    format: z.literal('iss_sub'),
    iss: plain(2000).meta({ description: 'This issuer' }),
    sub: plain(100).meta({ description: 'The account: `sub` of its ID tokens' }),
  })
  .meta({ description: 'The account, as `iss_sub` (RFC 9493)' });
export const subjectRequest = z
  .strictObject({
    stream_id: streamId,
    subject,
    verified: z.boolean().optional().meta({ description: 'Accepted and ignored (SSF 1.0 §8.1.3.2)' }),
  })
  .meta({ id: 'SubjectRequest' });
export const pollRequest = z
  .strictObject({
    maxEvents: z.number().int().min(0).max(1000).optional(),
    returnImmediately: z.boolean().optional(),
    ack: z.array(plain(100)).max(1000).optional(),
    setErrs: z.record(plain(100), z.strictObject({ err: plain(100), description: plain(500) })).optional(),
  })
  .meta({ id: 'PollRequest' });
export const accountParams = z.object({ sub: plain(100).meta({ description: 'The account: `sub` of its ID tokens' }) });

const itemId = plain(100).min(1).meta({ description: 'The shop’s own id of the item' });
const money = z
  .strictObject({
    value: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,4})?$/, 'a decimal amount in the currency’s major unit, e.g. 5000 or 12.50'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. JPY'),
  })
  .meta({ id: 'Money' });
const place = z
  .strictObject({
    recipient: plain(200).optional(),
    line1: plain(300).min(1),
    line2: plain(300).optional(),
    city: plain(100).optional(),
    region: plain(100).optional(),
    postalCode: plain(20).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. JP'),
  })
  .meta({ id: 'Address' });
const customer = z
  .strictObject({
    ip: z.union([z.ipv4(), z.ipv6()]).meta({ description: 'The address the customer’s request came from' }),
    userAgent: plain(1000).meta({ description: 'The customer’s User-Agent header' }),
    sid: plain(200).optional().meta({
      description:
        'The `sid` of the ID token behind the customer’s session: names the sign-in, so an intruder’s changes can be told from the owner’s. Without it the change is listed in an undo plan but never ticked for the reporter.',
    }),
  })
  .meta({ id: 'ShopCustomer' });
const reportOf = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape, customer });
export const shopChangeReport = z
  .discriminatedUnion('type', [
    reportOf('order-placed', {
      orderId: itemId,
      amount: money,
      shipTo: place,
      paymentMethod: z.strictObject({
        reference: plain(200)
          .min(1)
          .meta({ description: 'The shop’s (or its processor’s) reference to the card used' }),
        display: plain(100).optional().meta({ description: 'How the customer knows it, e.g. VISA •••• 4242' }),
      }),
      items: z
        .array(
          z.strictObject({
            name: plain(200).min(1).meta({ description: 'As the shop shows it, e.g. Rice cooker' }),
            quantity: z.number().int().min(1).max(100_000).optional(),
          }),
        )
        .max(50)
        .optional()
        .meta({ description: 'What was ordered: shown to the owner and support wherever the order appears' }),
    }),
    reportOf('gift-card-redeemed', { giftCardId: itemId, amount: money }),
    reportOf('points-redeemed', { redemptionId: itemId, points: z.number().int().min(1).max(1_000_000_000) }),
    reportOf('address-saved', { addressId: itemId, address: place }),
    reportOf('payment-method-saved', { paymentMethodId: itemId, display: plain(100).min(1) }),
    reportOf('subscription-started', { subscriptionId: itemId, plan: plain(200).min(1) }),
  ])
  .meta({ id: 'ShopChangeReport', description: 'What the customer did at the shop' });
export const shopChangeReceipt = z
  .object({
    changeId: z.string().meta({ description: 'The account log entry' }),
    repeated: z.boolean().meta({ description: 'This item was reported before; nothing new was written' }),
    announced: z.boolean().meta({ description: 'The owner was sent a notice with "This wasn’t me"' }),
  })
  .meta({ id: 'ShopChangeReceipt' });
export const undoRequestParams = z.object({
  id: plain(100).meta({ description: 'The request, as `request_id` in its event' }),
});
export const undoRequestQuery = z.object({
  status: z.enum(['waiting', 'all']).optional().meta({ description: '`waiting` (default): not answered yet' }),
  limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: 'At most this many (default 100)' }),
});
export const undoAnswer = z
  .strictObject({
    answer: z.enum(SHOP_ANSWERS),
    note: plain(500).optional().meta({ description: 'Shown to the owner and to support' }),
  })
  .meta({ id: 'UndoAnswer' });
export const undoRequest = z
  .object({
    id: z.string(),
    sub: z.string(),
    incident: z.string().meta({ description: 'The incident (`txn` of its events)' }),
    action: z.enum(SHOP_UNDO_ACTIONS),
    item: z.object({ type: z.enum(SHOP_ITEM_TYPES), id: z.string() }),
    requestedAt: z.string(),
    follows: z.string().nullable().meta({
      description:
        'For `release-order` and `cancel-order`: the `hold-order` request this decision follows (the owner or support chose)',
    }),
    answer: z.enum(SHOP_ANSWERS).nullable(),
    note: z.string().nullable(),
    answeredAt: z.string().nullable(),
  })
  .meta({ id: 'UndoRequest' });
export const undoRequestList = z.object({ requests: z.array(undoRequest) }).meta({ id: 'UndoRequestList' });

export const streamConfiguration = z
  .object({
    stream_id: z.string(),
    iss: z.string(),
    aud: z.string(),
    delivery: z.object({ method: z.string(), endpoint_url: z.string() }),
    events_supported: z.array(z.string()),
    events_requested: z.array(z.string()),
    events_delivered: z.array(z.string()),
    default_subjects: z.enum(['ALL', 'NONE']).meta({
      description:
        'ALL: events about every account (the store’s own shops). NONE: only accounts that signed in to this shop, each a subject from its first sign-in on',
    }),
    description: z.string().optional(),
  })
  .meta({ id: 'StreamConfiguration' });
export const streamStatus = z
  .object({ stream_id: z.string(), status: z.enum(['enabled', 'paused', 'disabled']), reason: z.string().optional() })
  .meta({ id: 'StreamStatus' });
export const pollResponse = z
  .object({ sets: z.record(z.string(), z.string()), moreAvailable: z.boolean() })
  .meta({ id: 'PollResponse', description: 'SETs by jti (RFC 8936 §2.5)' });
export const securityState = z
  .object({
    sub: z.string(),
    status: z.enum(['active', 'locked']),
    incident: z
      .object({
        state: z.string(),
        openedAt: z.string(),
        recoveryOpensAt: z.string().nullable(),
      })
      .nullable(),
    holds: z.object({ irreversibleActionsUntil: z.string().nullable() }),
    lastContainmentAt: z.string().nullable(),
  })
  .meta({ id: 'SecurityState' });
export const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string().optional() })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** A batch of the shop's customers (issue 26); each row is checked on its own and refused by index. */
const importShape = <R extends z.ZodType>(rows: R) =>
  z.strictObject({
    rows: z.array(rows).min(1).max(1000).meta({ description: 'At most 1,000 customers; send the next batch after' }),
    dryRun: z.boolean().optional().meta({ description: 'Check and count only; nothing is written' }),
    keys: legacyKeysSchema.optional().meta({ description: 'Shop keys some formats need; kept sealed' }),
  });
export const accountsImportRequest = importShape(importRow).meta({ id: 'AccountsImportRequest' });
/** What the route parses: rows stay unknown here so one bad row is refused alone, with its reason. */
export const accountsImportBatch = importShape(z.unknown());
export const accountsImportReport = z
  .object({
    rows: z.number(),
    imported: z.number().meta({
      description:
        'Customers now yours in Mamori: a new account, or one that already had the address (the same answer, so an import never tells which addresses Mamori knows)',
    }),
    alreadyImported: z.number().meta({ description: 'Your customer id was imported before: left as it is' }),
    duplicates: z.array(z.object({ line: z.number(), of: z.string() })),
    refused: z.array(z.object({ line: z.number(), reason: z.string() })),
  })
  .meta({ id: 'AccountsImportReport', description: '`line` is the row’s index in `rows`, from 1' });
