/**
 * Every failure a person can cause has a stable code. The HTTP layer maps codes to a status in one
 * place (src/http/error-mapping.ts) and the views translate them; nothing else decides either.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_CREDENTIALS',
  'EMAIL_NOT_VERIFIED',
  'UNAUTHENTICATED',
  'STAFF_UNAUTHENTICATED',
  'FORBIDDEN',
  'REAUTH_REQUIRED',
  'TOKEN_INVALID',
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_TOO_COMMON',
  'PASSWORD_CONTAINS_CONTEXT',
  'PASSWORD_TOO_WEAK',
  'PASSWORD_INCORRECT',
  'PASSWORD_CHANGE_REQUIRED',
  'CODE_INVALID',
  'CODE_EXHAUSTED',
  'SIGN_IN_EXPIRED',
  'PASSKEY_FAILED',
  'SECOND_FACTOR_REQUIRED',
  'TOTP_ALREADY_ON',
  'CARD_NUMBER_REFUSED',
  'EMAIL_UNAVAILABLE',
  'EMAIL_UNCHANGED',
  'NOT_FOUND',
  'INCIDENT_ALREADY_OPEN',
  'STREAM_EXISTS',
  'RECEIVER_NOT_ALLOWED',
  'INCIDENT_STATE',
  'ORDER_NOT_YOURS',
  'ORDER_NOT_HELD',
  'ORDER_ALREADY_DECIDED',
  'RATE_LIMITED',
  'SIGN_IN_THROTTLED',
  'CSRF_INVALID',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  code: string;
  /** For length rules that depend on the account (15 characters, or 8 with a second factor). */
  min?: number;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: {
      fields?: FieldProblem[];
      reason?: string;
      minLength?: number;
      /** A limit's answer: when the caller may try again (the HTTP layer sends it as Retry-After). */
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
