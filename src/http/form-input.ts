import { z } from 'zod';
import { DomainError, type FieldProblem } from '../core/errors.ts';
import { maskCardNumbers } from '../core/payment-card.ts';
import { refuseCardNumbers } from './card-number-guard.ts';

/**
 * Field rules shared by every form. Messages are field codes (translated by the views): required,
 * too_long, invalid_email, invalid_characters, markup_not_allowed, invalid_format.
 */
// U+FFFD is what invalid UTF-8 decodes to; control characters have no place in a name or an address.
// eslint-disable-next-line no-control-regex
const BAD_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;
const MARKUP = /[<>]/;

export function text(max: number) {
  return z
    .string({ error: 'required' })
    .trim()
    .min(1, 'required')
    .max(max, 'too_long')
    .refine((v) => !BAD_CHARACTERS.test(v), 'invalid_characters')
    .refine((v) => !MARKUP.test(v), 'markup_not_allowed');
}

export function optionalText(max: number) {
  return z
    .string({ error: 'invalid_format' })
    .trim()
    .max(max, 'too_long')
    .refine((v) => !BAD_CHARACTERS.test(v), 'invalid_characters')
    .refine((v) => !MARKUP.test(v), 'markup_not_allowed')
    .optional()
    .transform((v) => (v ? v : null));
}

/**
 * A customer's own words to support (a message, an objection, when to call back): a card number in them
 * is masked to its last 4 digits instead of refused, so a customer who panics and types it is still heard.
 */
export function customerText(max: number) {
  return text(max).transform(maskCardNumbers);
}

export function optionalCustomerText(max: number) {
  return optionalText(max).transform((v) => (v === null ? null : maskCardNumbers(v)));
}

export const email = z
  .string({ error: 'required' })
  .trim()
  .min(1, 'required')
  .max(254, 'too_long')
  .refine((v) => !BAD_CHARACTERS.test(v), 'invalid_characters')
  .pipe(z.email('invalid_email'));

/** Passwords are taken as typed (no trimming); the policy itself is applied by the service. */
export const password = z
  .string({ error: 'required' })
  .min(1, 'required')
  .max(1024, 'PASSWORD_TOO_LONG')
  .refine((v) => !v.includes('\ufffd'), 'invalid_characters');

export const csrfOnly = z.object({ _csrf: z.string().optional() });
/** A form that carries a mailed link's token (the page's button acts on the link it was opened with). */
export const tokenForm = z.object({ token: z.string({ error: 'required' }).max(100, 'too_long') });

/** Only same-site relative paths are followed after a form (no open redirect). */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[\w\-./?=&%]*$/.test(value) || value.length > 200) return fallback;
  return value;
}

/**
 * A form's fields, checked against its schema; a refusal names each field. No value kept may hold a card
 * number (passwords aside: they are only ever hashed).
 */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) {
    refuseCardNumbers(withoutPasswords(schema, result.data));
    return result.data;
  }
  const fields: FieldProblem[] = [];
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (!fields.some((f) => f.field === field)) fields.push({ field, code: issue.message });
  }
  throw new DomainError('INVALID_INPUT', { fields });
}

/** Each form's password fields, found once: reading a zod object's shape on every request costs more than the check. */
const passwordFields = new WeakMap<z.ZodType, Set<string>>();

function withoutPasswords(schema: z.ZodType, data: unknown): unknown {
  if (!(schema instanceof z.ZodObject) || data === null || typeof data !== 'object') return data;
  let secret = passwordFields.get(schema);
  if (!secret) {
    const shape = schema.shape as Record<string, unknown>;
    secret = new Set(Object.keys(shape).filter((key) => shape[key] === password));
    passwordFields.set(schema, secret);
  }
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(data)) if (!secret.has(key)) kept[key] = (data as Record<string, unknown>)[key];
  return kept;
}

/** The submitted values to show again in a form: strings only, never secrets, never a card number. */
export function keptValues(body: unknown, secretFields: string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string' && key !== '_csrf' && !secretFields.includes(key))
        values[key] = maskCardNumbers(value).slice(0, 300);
    }
  }
  return values;
}
