import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { DomainError } from '../core/errors.ts';

/** What a browser sends back from navigator.credentials, checked for shape and size before any parsing. */
const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);
const common = {
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(16_384),
    authenticatorData: base64url(16_384).optional(),
    transports: z
      .array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']))
      .max(8)
      .optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4096).optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(2048),
    userHandle: base64url(512).optional(),
  }),
});

function parseCredential<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  if (typeof value !== 'string' || value.length === 0 || value.length > 32_768) throw new DomainError('PASSKEY_FAILED');
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new DomainError('PASSKEY_FAILED');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new DomainError('PASSKEY_FAILED');
  return parsed.data;
}

export function registrationCredential(value: unknown): RegistrationResponseJSON {
  return parseCredential(registrationSchema, value) as RegistrationResponseJSON;
}

export function authenticationCredential(value: unknown): AuthenticationResponseJSON {
  return parseCredential(authenticationSchema, value) as AuthenticationResponseJSON;
}
