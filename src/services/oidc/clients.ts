import type Provider from 'oidc-provider';
import type { Adapter, AdapterPayload, Client } from 'oidc-provider';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { logoUriProblem, supportUrlProblem } from '../../core/oidc/client-branding.ts';
import { clientUriProblem } from '../../core/oidc/client-uris.ts';
import { receiverUrlRefusal } from '../../platform/receiver-policy.ts';
import {
  deleteOidcClient,
  findOidcClient,
  findOidcClientByName,
  findOidcClientWithBudget,
  insertOidcClient,
  listOidcClients,
  replaceOidcClientSecret,
  updateOidcClientBranding,
  type ClientBrandingRow,
  type LiveHits,
  type OidcClientRow,
} from '../../store/oidc-clients.ts';
import { destroyOidcPayloadsOfClient } from '../../store/oidc-payloads.ts';
import { forgetShopCustomers } from '../../store/shop-customers.ts';
import type { ServiceDeps } from '../deps.ts';

export type ClientDeps = Pick<ServiceDeps, 'db' | 'clock' | 'random' | 'secrets' | 'config'>;

export const clientRegistration = z.object({
  name: z.string().trim().min(1).max(100),
  redirectUris: z.array(z.string().max(2000)).min(1).max(20),
  postLogoutRedirectUris: z.array(z.string().max(2000)).max(20).default([]),
  backchannelLogoutUri: z.string().max(2000).optional(),
  firstParty: z.boolean().default(false),
  logoUri: z.string().max(2000).optional(),
  supportEmail: z.email({ error: 'support email: not an email address' }).max(254).optional(),
  supportUrl: z.string().max(2000).optional(),
});
export type ClientRegistration = z.input<typeof clientRegistration>;

/** What a shop shows of itself on its customers' sign-in pages; an empty string clears a field. */
export const clientBranding = z.object({
  logoUri: z.string().max(2000).optional(),
  supportEmail: z.union([z.literal(''), z.email({ error: 'support email: not an email address' }).max(254)]).optional(),
  supportUrl: z.string().max(2000).optional(),
});
export type ClientBranding = z.input<typeof clientBranding>;

export interface ClientSummary {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  firstParty: boolean;
  createdAt: string;
  secretRotatedAt: string | null;
  logoUri: string | null;
  supportEmail: string | null;
  supportUrl: string | null;
}

const sealContext = (clientId: string) => `oidc-client-secret:${clientId}`;

function summary(row: OidcClientRow): ClientSummary {
  return {
    clientId: row.client_id,
    name: row.name,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    backchannelLogoutUri: row.backchannel_logout_uri,
    firstParty: row.first_party === 1,
    createdAt: row.created_at,
    secretRotatedAt: row.secret_rotated_at,
    logoUri: row.logo_uri,
    supportEmail: row.support_email,
    supportUrl: row.support_url,
  };
}

function invalid(issues: readonly { message: string }[]): DomainError {
  return new DomainError('INVALID_INPUT', { reason: issues.map((i) => i.message).join('; ') });
}

/** The branding fields as stored: checked, with an empty string meaning "none". */
function brandingRow(deps: ClientDeps, branding: z.output<typeof clientBranding>): Partial<ClientBrandingRow> {
  const production = deps.config.mode === 'production';
  const problems = [
    branding.logoUri ? logoUriProblem(branding.logoUri, production) : null,
    branding.supportUrl ? supportUrlProblem(branding.supportUrl, production) : null,
  ].filter((p): p is string => p !== null);
  if (problems.length > 0) throw new DomainError('INVALID_INPUT', { reason: problems.join('; ') });
  const row: Partial<ClientBrandingRow> = {};
  if (branding.logoUri !== undefined) row.logo_uri = branding.logoUri || null;
  if (branding.supportEmail !== undefined) row.support_email = branding.supportEmail || null;
  if (branding.supportUrl !== undefined) row.support_url = branding.supportUrl || null;
  return row;
}

function checkUris(deps: ClientDeps, uris: readonly string[]): void {
  const production = deps.config.mode === 'production';
  const problems = uris.map((uri) => clientUriProblem(uri, production)).filter((p): p is string => p !== null);
  if (problems.length > 0) throw new DomainError('INVALID_INPUT', { reason: problems.join('; ') });
}

/** `mamori client add`: the secret is returned once and kept only sealed. */
export async function addClient(
  deps: ClientDeps,
  input: ClientRegistration,
): Promise<{ client: ClientSummary; clientSecret: string }> {
  const parsed = clientRegistration.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const registration = parsed.data;
  const branding = brandingRow(deps, registration);
  const backchannel = registration.backchannelLogoutUri ? [registration.backchannelLogoutUri] : [];
  // Mamori itself posts to the back-channel logout URI (the others are where browsers go): the receiver
  // policy names its rule first, before the URL's own form is judged.
  const refusal = registration.backchannelLogoutUri
    ? receiverUrlRefusal(deps.config.receivers, registration.backchannelLogoutUri)
    : null;
  if (refusal)
    throw new DomainError('RECEIVER_NOT_ALLOWED', {
      reason: `back-channel logout URI ${registration.backchannelLogoutUri}: ${refusal}`,
    });
  checkUris(deps, [...registration.redirectUris, ...registration.postLogoutRedirectUris, ...backchannel]);
  if (await findOidcClientByName(deps.db, registration.name))
    throw new DomainError('INVALID_INPUT', { reason: `a client named "${registration.name}" already exists` });
  const clientId = deps.random.id();
  const clientSecret = deps.random.token();
  await insertOidcClient(deps.db, {
    client_id: clientId,
    name: registration.name,
    secret_sealed: deps.secrets.seal(clientSecret, sealContext(clientId)),
    redirect_uris: JSON.stringify(registration.redirectUris),
    post_logout_redirect_uris: JSON.stringify(registration.postLogoutRedirectUris),
    backchannel_logout_uri: registration.backchannelLogoutUri ?? null,
    first_party: registration.firstParty ? 1 : 0,
    created_at: deps.clock.now().toISOString(),
    secret_rotated_at: null,
    ...branding,
  });
  const row = await findOidcClient(deps.db, clientId);
  if (!row) throw new Error('client vanished after insert');
  return { client: summary(row), clientSecret };
}

export async function listClients(deps: Pick<ServiceDeps, 'db'>): Promise<ClientSummary[]> {
  return (await listOidcClients(deps.db)).map(summary);
}

export async function findClient(deps: Pick<ServiceDeps, 'db'>, clientId: string): Promise<ClientSummary | null> {
  const row = await findOidcClient(deps.db, clientId);
  return row ? summary(row) : null;
}

export async function findClientByName(deps: Pick<ServiceDeps, 'db'>, name: string): Promise<ClientSummary | null> {
  const row = await findOidcClientByName(deps.db, name);
  return row ? summary(row) : null;
}

/** Removes the client and everything issued to it: its customers are signed out of it at once. */
export async function removeClient(deps: Pick<ServiceDeps, 'db'>, clientId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deleteOidcClient(trx, clientId))) throw new DomainError('NOT_FOUND');
    await destroyOidcPayloadsOfClient(trx, clientId);
    await forgetShopCustomers(trx, clientId);
  });
}

/** `mamori client update`: the shop's logo and support contact, shown from the next page on. */
export async function updateClientBranding(
  deps: ClientDeps,
  clientId: string,
  input: ClientBranding,
): Promise<ClientSummary> {
  const parsed = clientBranding.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const row = brandingRow(deps, parsed.data);
  if (Object.keys(row).length === 0)
    throw new DomainError('INVALID_INPUT', {
      reason: 'nothing to change: give --logo-uri, --support-email or --support-url',
    });
  if (!(await updateOidcClientBranding(deps.db, clientId, row))) throw new DomainError('NOT_FOUND');
  const updated = await findClient(deps, clientId);
  if (!updated) throw new DomainError('NOT_FOUND');
  return updated;
}

/** A new secret, returned once; the old one stops working at once. */
export async function rotateClientSecret(deps: ClientDeps, clientId: string): Promise<string> {
  const row = await findOidcClient(deps.db, clientId);
  if (!row) throw new DomainError('NOT_FOUND');
  const clientSecret = deps.random.token();
  const sealed = deps.secrets.seal(clientSecret, sealContext(clientId));
  const at = deps.clock.now().toISOString();
  if (!(await replaceOidcClientSecret(deps.db, clientId, row.secret_sealed, sealed, at)))
    throw new DomainError('INVALID_INPUT', { reason: 'the secret changed meanwhile; run the command again' });
  return clientSecret;
}

export const clientSecretContext = sealContext;

/**
 * The row's fields the provider's view of a client is built from: clientMetadata can read no other, so
 * findClientsByRow's version of a row (these fields' values) changes whenever that view would.
 */
const METADATA_FIELDS = [
  'client_id',
  'secret_sealed',
  'name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
] as const satisfies readonly (keyof OidcClientRow)[];
type MetadataRow = Pick<OidcClientRow, (typeof METADATA_FIELDS)[number]>;

/** The provider's view of a client, as OpenID Connect Dynamic Client Registration metadata. */
function clientMetadata(row: MetadataRow, clientSecret: string): AdapterPayload {
  return {
    client_id: row.client_id,
    client_secret: clientSecret,
    client_name: row.name,
    redirect_uris: JSON.parse(row.redirect_uris) as string[],
    post_logout_redirect_uris: JSON.parse(row.post_logout_redirect_uris) as string[],
    ...(row.backchannel_logout_uri
      ? { backchannel_logout_uri: row.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  };
}

/**
 * Clients are read from Mamori's own table on every request, so a removed client or a rotated secret
 * counts at once; the provider never writes them (no dynamic registration). What a sealed secret opens
 * to is remembered by the sealed value itself: a rotation seals anew, so nothing stale is ever used.
 */
export type ClientRowFinder = (clientId: string) => Promise<OidcClientRow | undefined>;
export type { LiveHits, OidcClientRow };

/** The client's row as the provider's Client adapter reads it. */
export function clientRow(deps: Pick<ServiceDeps, 'db'>, clientId: string): Promise<OidcClientRow | undefined> {
  return findOidcClient(deps.db, clientId);
}

/** The client's row with the live failure counts of its authentication's keys, in one statement. */
export function clientRowWithBudget(
  deps: Pick<ServiceDeps, 'db'>,
  clientId: string,
  keys: { client: string; ip: string },
  now: string,
): Promise<{ row: OidcClientRow; live: LiveHits[] } | undefined> {
  return findOidcClientWithBudget(deps.db, clientId, keys, now);
}

/** What a sealed secret opens to, remembered by the sealed value itself: a rotation seals anew. */
function secretOpener(deps: ClientDeps): (row: OidcClientRow) => string {
  const opened = new Map<string, string>();
  return (row) => {
    const key = `${row.client_id} ${row.secret_sealed}`;
    let secret = opened.get(key);
    if (secret === undefined) {
      secret = deps.secrets.open(row.secret_sealed, sealContext(row.client_id));
      if (opened.size >= 1000) opened.clear();
      opened.set(key, secret);
    }
    return secret;
  };
}

export class ClientAdapter implements Adapter {
  private readonly openSecret: (row: OidcClientRow) => string;
  /** `findRow`: how the row is read (the client-authentication throttle reads its budget in the same statement). */
  constructor(
    deps: ClientDeps,
    private readonly findRow: ClientRowFinder = (clientId) => clientRow(deps, clientId),
  ) {
    this.openSecret = secretOpener(deps);
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    if (!couldBeIssuedId(id)) return undefined;
    const row = await this.findRow(id);
    return row ? clientMetadata(row, this.openSecret(row)) : undefined;
  }
  async upsert(): Promise<void> {
    throw new Error('clients are added with `mamori client add`');
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

function sameMetadata(a: MetadataRow, b: MetadataRow): boolean {
  for (const field of METADATA_FIELDS) if (a[field] !== b[field]) return false;
  return true;
}

/**
 * The provider's Client.find, reading the row on every call as the adapter does (a removed client is
 * unknown and a rotated secret stops at once, on every instance), but keeping the Client it builds for
 * the row's own values. The provider's own find rebuilds the metadata from the row, then serialises and
 * hashes it to find the Client it built last time, on every token, introspection and userinfo request.
 * A row whose metadata fields differ in any value from those the kept Client was built from (secret
 * rotated, addresses changed) gets a new Client, never a stale one; the values are compared field by
 * field, not serialised, as this runs on every request.
 */
export function findClientsByRow(provider: Provider, deps: ClientDeps, findRow: ClientRowFinder): void {
  const openSecret = secretOpener(deps);
  const built = new Map<string, { row: MetadataRow; client: Client }>();
  // The provider's Client class takes the metadata it validates; its typings leave the constructor out.
  const ProviderClient = provider.Client as unknown as new (metadata: AdapterPayload) => Client;
  provider.Client.find = async (id: string) => {
    if (typeof id !== 'string' || !couldBeIssuedId(id)) return undefined;
    const row = await findRow(id);
    if (!row) return undefined;
    const kept = built.get(row.client_id);
    if (kept && sameMetadata(kept.row, row)) return kept.client;
    const client = new ProviderClient(clientMetadata(row, openSecret(row)));
    if (built.size >= 1000) built.clear();
    built.set(row.client_id, { row: pick(row), client });
    return client;
  };
}

/** The metadata fields alone, so the kept row holds nothing else of the read (budget counts, branding). */
function pick(row: MetadataRow): MetadataRow {
  return Object.fromEntries(METADATA_FIELDS.map((field) => [field, row[field]])) as MetadataRow;
}
