// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Whether a value from a request could be an id the provider or Mamori issued (a token, code, grant,
 * session uid or client id). Those are short and printable; anything else is "not found" without asking
 * the store (PostgreSQL refuses a NUL byte in text outright, which would otherwise surface as a 500).
 */
export function couldBeIssuedId(value: string): boolean {
  return value.length > 0 && value.length <= 512 && !CONTROL_CHARACTERS.test(value);
}
