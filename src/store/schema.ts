import type { Generated } from 'kysely';

/**
 * Table types. Timestamps are ISO-8601 UTC strings made by the application clock: they sort the same
 * way on SQLite and PostgreSQL and no database clock is ever consulted.
 */
export interface AccountsTable {
  id: string;
  email: string;
  email_verified_at: string | null;
  password_hash: string | null;
  password_disabled_at: string | null;
  name: string;
  phone: string | null;
  locale: string;
  status: string;
  created_at: string;
  updated_at: string;
  /** Head of the account log's hash chain; updating it locks the account row while an entry is appended. */
  log_seq: Generated<number>;
  log_head: Generated<string>;
  /** Irreversible actions wait until then after an email or password change (DESIGN 2 C step 6). */
  irreversible_hold_until: Generated<string | null>;
  /** An imported password below the policy: 'suggested' or 'required' until a new one is set (issue 26). */
  password_upgrade: Generated<string | null>;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  account_id: string;
  device_label: string;
  user_agent: string;
  ip: string;
  area: string | null;
  created_at: string;
  last_seen_at: string;
  authenticated_at: string;
  revoked_at: string | null;
  revoke_reason: string | null;
  /** SHA-256 of the device cookie the session was started from. */
  device_id: string | null;
  /** What the risk engine decided at the sign-in that started it: allow, or challenge (then passed). */
  risk_decision: Generated<string>;
  /** How the sign-in proved the person, RFC 8176 values separated by spaces (e.g. "pwd otp mfa"). */
  amr: Generated<string>;
}

export interface OneTimeTokensTable {
  id: string;
  token_hash: string;
  purpose: string;
  account_id: string;
  payload: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** The address the link was mailed to (report links: the reporter's standing is judged by it). */
  recipient: Generated<string | null>;
  /** The session that asked for the link: the link dies with it. */
  session_id: Generated<string | null>;
}

export interface AddressesTable {
  id: string;
  account_id: string;
  recipient: string;
  postal_code: string;
  region: string;
  city: string;
  line1: string;
  line2: string | null;
  country: string;
  created_at: string;
  removed_at: string | null;
}

export interface PaymentMethodsTable {
  id: string;
  account_id: string;
  processor_token: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  created_at: string;
  removed_at: string | null;
}

export interface SubscriptionsTable {
  id: string;
  account_id: string;
  plan: string;
  interval: string;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface OutboxTable {
  id: string;
  channel: string;
  account_id: string | null;
  recipient: string;
  locale: string;
  template: string;
  model: string | null;
  subject: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface DevMailboxTable {
  id: string;
  outbox_id: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  received_at: string;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  expires_at: string;
}

export interface AccountLogTable {
  id: string;
  account_id: string;
  seq: number;
  kind: string;
  subject_id: string | null;
  before_value: string | null;
  after_value: string | null;
  actor_type: string;
  actor_session_id: string | null;
  actor_device_id: string | null;
  actor_device: string;
  actor_ip: string;
  actor_area: string | null;
  occurred_at: string;
  previous_hash: string;
  hash: string;
}

export interface KnownDevicesTable {
  account_id: string;
  device_id: string;
  first_seen_at: string;
}

export interface IncidentsTable {
  id: string;
  account_id: string;
  state: string;
  opened_by: string;
  reported_change_id: string | null;
  compromise_at: string;
  plan: string;
  checklist: string;
  disputed_party: string | null;
  objection: string | null;
  /** Kept because SQLite cannot drop a UNIQUE column; links to the page live in incident_parties. */
  status_token_hash: string;
  wait_until: string | null;
  created_at: string;
  updated_at: string;
  contained_at: string | null;
  recovery_opened_at: string | null;
  recovered_at: string | null;
  closed_at: string | null;
  /** 1 when the account had a second factor before the compromise: recovery then needs it too. */
  requires_second_factor: Generated<number>;
  first_response_at: Generated<string | null>;
  assigned_staff_id: Generated<string | null>;
  /** The address the account held at the compromise point: recovery goes only there. */
  owner_email: Generated<string | null>;
  /** JSON ReporterStanding: who opened the incident and why they may not be the owner. */
  reported_by: Generated<string | null>;
  /** JSON ProvenBy: the factor the owner held before the compromise that opened recovery at once. */
  proven_by: Generated<string | null>;
}

export interface OidcPayloadsTable {
  /** The provider's model: Session, Interaction, Grant, AuthorizationCode, AccessToken, RefreshToken, … */
  kind: string;
  id: string;
  /** JSON of the provider's payload. */
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: string | null;
  consumed_at: string | null;
  /** The account and client the row belongs to, when its payload names them. */
  account_id: Generated<string | null>;
  client_id: Generated<string | null>;
}

export interface OidcClientsTable {
  client_id: string;
  name: string;
  /** The client secret sealed with the service key (shown once at creation, never stored in plain). */
  secret_sealed: string;
  /** JSON arrays of exact URIs. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  /** 1 for the shop's own storefront: no consent page. */
  first_party: number;
  created_at: string;
  secret_rotated_at: string | null;
  /** The shop's own logo, shown on its sign-in pages (allowed by exact URL in that page's CSP). */
  logo_uri: Generated<string | null>;
  /** How the shop's customers reach the shop itself (not Mamori's support desk). */
  support_email: Generated<string | null>;
  support_url: Generated<string | null>;
}

export interface OidcSigningKeysTable {
  kid: string;
  alg: string;
  private_jwk_sealed: string;
  public_jwk: string;
  created_at: string;
  /** Set when a newer key took over signing. */
  retired_at: string | null;
  /** A retired key is still served at the JWKS until then: the last token it signed has expired. */
  published_until: string | null;
}

/** Which Mamori session a provider session rides on: ending it logs that session out of the shops. */
export interface OidcSessionLinksTable {
  oidc_session_uid: string;
  session_id: string;
  account_id: string;
  linked_at: string;
}

/** A shop's Shared Signals stream (SSF 1.0 §8.1.1): where its events go and which it wants. */
export interface SsfStreamsTable {
  id: string;
  client_id: string;
  delivery_method: string;
  endpoint_url: string | null;
  /** The Authorization header the shop asked pushes to carry, sealed like every secret. */
  authorization_sealed: string | null;
  events_requested: string;
  description: string | null;
  status: string;
  status_reason: string | null;
  /** Set when an event could not be delivered after every retry; cleared by the next delivery. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

/** Every attempt to deliver an outbox row, with the answer (a mail relay's or a shop's). */
export interface DeliveryAttemptsTable {
  id: string;
  outbox_id: string;
  attempted_at: string;
  ok: number;
  answer: string;
}

export interface IncidentPartiesTable {
  id: string;
  incident_id: string;
  address: string | null;
  standing: string;
  status_token_hash: string;
  claimed_at: string | null;
  created_at: string;
}

export interface SupportRequestsTable {
  id: string;
  account_id: string;
  incident_id: string | null;
  kind: string;
  body: string | null;
  phone: string | null;
  preferred_time: string | null;
  locale: string;
  created_at: string;
  first_response_at: Generated<string | null>;
  assigned_staff_id: Generated<string | null>;
  closed_at: Generated<string | null>;
  /** 'newcomer' when it came through an address that appeared only after the compromise point. */
  standing: Generated<string | null>;
}

export interface TotpFactorsTable {
  id: string;
  account_id: string;
  /** Base32 TOTP seed (160 bits). Must be readable to check codes; see README on key management. */
  secret: string;
  created_at: string;
  confirmed_at: string | null;
  removed_at: string | null;
  /** The last 30-second step accepted: a code is never accepted twice (STANDARDS H2). */
  last_used_step: Generated<number>;
}

export interface RecoveryCodesTable {
  id: string;
  account_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
  /** Set when the code's authenticator was turned off; cleared if an undo or recovery restores it. */
  voided_at: string | null;
}

export interface SignInThrottleTable {
  /** SHA-256 of the normalised address: unknown addresses are throttled exactly like known ones. */
  key: string;
  failures: number;
  last_failure_at: string;
  blocked_until: string | null;
}

export interface RiskCountersTable {
  /** acct:<hash of address>, ip:<address> or global. */
  key: string;
  /** The minute, as an ISO prefix (2026-03-02T05:46). */
  bucket: string;
  count: number;
}

export interface RiskDecisionsTable {
  id: string;
  account_id: string;
  action: string;
  decision: string;
  score: number;
  /** JSON: [{ code, weight, detail? }]. */
  reasons: string;
  ip: string;
  country: string | null;
  device_id: string | null;
  created_at: string;
}

export interface AccountLocationsTable {
  account_id: string;
  country: string;
  first_seen_at: string;
  last_seen_at: string;
}

export interface PasskeysTable {
  id: string;
  account_id: string;
  /** base64url credential id, as the authenticator returns it. */
  credential_id: string;
  /** base64url COSE public key. */
  public_key: string;
  counter: Generated<number | string>;
  /** JSON array of transports. */
  transports: string;
  device_type: string;
  backed_up: number;
  name: string;
  created_at: string;
  created_ip: string;
  last_used_at: string | null;
  /** Removed passkeys are kept as a record of every authenticator ever bound (STANDARDS H7). */
  removed_at: string | null;
}

export interface WebauthnChallengesTable {
  challenge_hash: string;
  /** passkey-registration | passkey-sign-in | passkey-second-step */
  purpose: string;
  account_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface DelayedChangesTable {
  id: string;
  account_id: string;
  kind: string;
  /** JSON: what to apply when the delay ends (never a password: a password change carries its hash). */
  payload: string;
  reason: string;
  /** JSON RequestOrigin of the session that asked. */
  origin: string;
  created_at: string;
  apply_at: string;
  settled_at: string | null;
  /** applied | cancelled | void (superseded, or the account was contained). */
  outcome: string | null;
}

export type StaffRole = 'agent' | 'admin';

export interface StaffMembersTable {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  /** Base32 TOTP seed: staff sign in with password + TOTP, always. */
  totp_secret: string;
  totp_last_step: Generated<number>;
  created_at: string;
  disabled_at: string | null;
}

export interface StaffSessionsTable {
  id: string;
  token_hash: string;
  staff_id: string;
  ip: string;
  user_agent: string;
  created_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

export interface SupportNotesTable {
  id: string;
  account_id: string;
  incident_id: string | null;
  request_id: string | null;
  staff_id: string;
  /** reply (to the customer) | call (a logged phone call) */
  kind: string;
  body: string;
  outcome: string | null;
  duration_minutes: number | null;
  created_at: string;
}

/** What containment asked a shop to undo, and the shop's answer (null while it is waiting on the shop). */
export interface ShopUndoRequestsTable {
  id: string;
  incident_id: string;
  account_id: string;
  client_id: string;
  change_id: string;
  action: string;
  item_type: string;
  item_id: string;
  answer: string | null;
  note: string | null;
  requested_at: string;
  answered_at: string | null;
  /** A follow-up (release or cancel a held order) names the hold request it follows; null for containment's own. */
  follows: string | null;
}

/**
 * An account that signed in to a shop (a grant exists or existed), kept when the grant goes, or that the
 * shop's import created (migration 0021).
 */
export interface ShopCustomersTable {
  client_id: string;
  account_id: string;
  /** 1 once the customer granted this shop the `email` scope, or the shop's import gave the address. */
  email_granted: number;
  /** For an account the shop's import created: the import's time. */
  first_signed_in_at: string;
}

/** A subject a receiver took out of its stream (SSF 1.0 §8.1.3.3): no events about it go there. */
export interface SsfRemovedSubjectsTable {
  stream_id: string;
  account_id: string;
  removed_at: string;
}

/** The shop's own customer id, per shop (issue 26): one account may carry ids from several shops. */
export interface ImportedCustomerIdsTable {
  client_id: string;
  shop_customer_id: string;
  account_id: string;
  imported_at: string;
}

/** The hash a shop exported, until the first right password replaces it; null format: imported without one. */
export interface ImportedPasswordsTable {
  account_id: string;
  client_id: string;
  format: string | null;
  hash: string | null;
  salt: string | null;
  imported_at: string;
}

/** A shop-wide key some imported hashes need (AUTH_MAGIC, Firebase signer key), sealed under the service key. */
export interface ImportKeysTable {
  client_id: string;
  name: string;
  sealed: string;
  created_at: string;
}

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  addresses: AddressesTable;
  payment_methods: PaymentMethodsTable;
  subscriptions: SubscriptionsTable;
  outbox: OutboxTable;
  dev_mailbox: DevMailboxTable;
  rate_limits: RateLimitsTable;
  account_log: AccountLogTable;
  known_devices: KnownDevicesTable;
  incidents: IncidentsTable;
  incident_parties: IncidentPartiesTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_clients: OidcClientsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_session_links: OidcSessionLinksTable;
  delivery_attempts: DeliveryAttemptsTable;
  ssf_streams: SsfStreamsTable;
  shop_customers: ShopCustomersTable;
  ssf_removed_subjects: SsfRemovedSubjectsTable;
  shop_undo_requests: ShopUndoRequestsTable;
  support_requests: SupportRequestsTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  sign_in_throttle: SignInThrottleTable;
  risk_counters: RiskCountersTable;
  risk_decisions: RiskDecisionsTable;
  account_locations: AccountLocationsTable;
  passkeys: PasskeysTable;
  delayed_changes: DelayedChangesTable;
  webauthn_challenges: WebauthnChallengesTable;
  staff_members: StaffMembersTable;
  staff_sessions: StaffSessionsTable;
  support_notes: SupportNotesTable;
  imported_customer_ids: ImportedCustomerIdsTable;
  imported_passwords: ImportedPasswordsTable;
  import_keys: ImportKeysTable;
}
