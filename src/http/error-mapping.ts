import type { FastifyError } from 'fastify';
import { DomainError, isDomainError, type ErrorCode } from '../core/errors.ts';
import { PASSWORD_MAX, PASSWORD_MIN_SINGLE_FACTOR } from '../core/password-policy.ts';

/** The one place an error code becomes an HTTP status (STYLE 5). */
const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  INVALID_CREDENTIALS: 401,
  EMAIL_NOT_VERIFIED: 403,
  UNAUTHENTICATED: 401,
  STAFF_UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  REAUTH_REQUIRED: 403,
  TOKEN_INVALID: 400,
  PASSWORD_TOO_SHORT: 400,
  PASSWORD_TOO_LONG: 400,
  PASSWORD_TOO_COMMON: 400,
  PASSWORD_CONTAINS_CONTEXT: 400,
  PASSWORD_TOO_WEAK: 400,
  PASSWORD_INCORRECT: 400,
  PASSWORD_CHANGE_REQUIRED: 403,
  CODE_INVALID: 400,
  CODE_EXHAUSTED: 429,
  SIGN_IN_EXPIRED: 400,
  PASSKEY_FAILED: 400,
  SECOND_FACTOR_REQUIRED: 401,
  CARD_NUMBER_REFUSED: 400,
  EMAIL_UNAVAILABLE: 409,
  EMAIL_UNCHANGED: 400,
  NOT_FOUND: 404,
  INCIDENT_ALREADY_OPEN: 409,
  STREAM_EXISTS: 409,
  RECEIVER_NOT_ALLOWED: 400,
  TOTP_ALREADY_ON: 409,
  INCIDENT_STATE: 409,
  ORDER_NOT_YOURS: 403,
  ORDER_NOT_HELD: 409,
  ORDER_ALREADY_DECIDED: 409,
  RATE_LIMITED: 429,
  SIGN_IN_THROTTLED: 429,
  CSRF_INVALID: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

/** Turns anything thrown into a DomainError; only truly unexpected failures become INTERNAL. */
export function toDomainError(error: unknown): DomainError {
  if (isDomainError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return new DomainError('CSRF_INVALID');
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return new DomainError('RATE_LIMITED');
    default:
      break;
  }
  if (fastifyError.statusCode === 429) return new DomainError('RATE_LIMITED');
  if (fastifyError.statusCode === 404) return new DomainError('NOT_FOUND');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new DomainError('INVALID_INPUT');
  }
  return new DomainError('INTERNAL');
}

/** Values the translated messages may name: password length limits. */
export function messageValues(error: DomainError): Record<string, number> {
  return { min: error.details.minLength ?? PASSWORD_MIN_SINGLE_FACTOR, max: PASSWORD_MAX };
}
