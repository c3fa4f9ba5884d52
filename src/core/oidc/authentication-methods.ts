/** What a sign-in proved, as the sign-in steps name it. */
export type SignInFactor =
  | 'password'
  | 'second-factor'
  | 'mailed-code'
  | 'passkey'
  | 'synced-passkey'
  | 'password+passkey'
  | 'password+synced-passkey';

/** NIST SP 800-63B assurance levels, in the form login.gov and others use as `acr` values. */
export const ACR_AAL1 = 'http://idmanagement.gov/ns/assurance/aal/1';
export const ACR_AAL2 = 'http://idmanagement.gov/ns/assurance/aal/2';

/**
 * RFC 8176 methods for a sign-in. A passkey is a key in hardware (`hwk`) unless it syncs between devices
 * (`swk`); with user verification it is two factors. A code mailed to the account's address is a one-time
 * code but not a second factor NIST accepts (email is not an out-of-band authenticator), so it stays AAL1.
 */
export function authenticationMethods(factor: SignInFactor): string[] {
  switch (factor) {
    case 'password':
      return ['pwd'];
    case 'second-factor':
      return ['pwd', 'otp', 'mfa'];
    case 'mailed-code':
      return ['pwd', 'otp'];
    case 'passkey':
      return ['hwk', 'user', 'mfa'];
    case 'synced-passkey':
      return ['swk', 'user', 'mfa'];
    case 'password+passkey':
      return ['pwd', 'hwk', 'mfa'];
    case 'password+synced-passkey':
      return ['pwd', 'swk', 'mfa'];
  }
}

export function assuranceLevel(amr: readonly string[]): string {
  return amr.includes('mfa') ? ACR_AAL2 : ACR_AAL1;
}
