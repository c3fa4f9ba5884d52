export {
  HOLD_CLAIM,
  tokenVerifier,
  TokenRefused,
  type IdTokenClaims,
  type LogoutOrder,
  type SecurityEvent,
  type Subject,
  type VerifierOptions,
} from './tokens.ts';
export {
  MamoriApiError,
  shopApi,
  type Address,
  type ChangeReceipt,
  type Customer,
  type Money,
  type SecurityState,
  type ShopApiOptions,
  type ShopChange,
  type UndoAnswer,
  type UndoRequest,
} from './shop-api.ts';

/** Mamori's own event type, under the issuer: containment asks the shop to undo one thing it reported. */
export const undoRequestedEventType = (issuer: string) =>
  `${issuer.replace(/\/+$/, '')}/secevent/event-type/undo-requested`;

export const EVENT_TYPES = {
  accountDisabled: 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  accountEnabled: 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  accountCredentialChangeRequired:
    'https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required',
  identifierChanged: 'https://schemas.openid.net/secevent/risc/event-type/identifier-changed',
  recoveryInformationChanged: 'https://schemas.openid.net/secevent/risc/event-type/recovery-information-changed',
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  credentialChange: 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
} as const;
