import { findOidcPayload } from '../../store/oidc-payloads.ts';
import type { ServiceDeps } from '../deps.ts';
import { findClient, type ClientSummary } from './clients.ts';

/** What a sign-in, sign-up or consent page shows of the shop asking. */
export type ShopOfInteraction = Pick<ClientSummary, 'name' | 'logoUri' | 'supportEmail' | 'supportUrl'>;

const INTERACTION_PATH = /^\/interaction\/([\w-]{1,64})$/;

/**
 * The shop a sign-in or sign-up page is for (issue 25, "whose shop is this?"): when the page returns to
 * an authorization in progress, the client that asked for it (name, logo, support contact); otherwise
 * null. An expired or made-up interaction names nothing.
 */
export async function shopForReturnTo(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  returnTo: string | undefined,
): Promise<ShopOfInteraction | null> {
  const uid = INTERACTION_PATH.exec(returnTo ?? '')?.[1];
  if (!uid) return null;
  const row = await findOidcPayload(deps.db, 'Interaction', { id: uid }, deps.clock.now().toISOString());
  if (!row) return null;
  const clientId = (JSON.parse(row.payload) as { params?: { client_id?: unknown } }).params?.client_id;
  return shopOfClient(typeof clientId === 'string' ? await findClient(deps, clientId) : null);
}

/** What a page shows of a shop already found. */
export function shopOfClient(client: ClientSummary | null): ShopOfInteraction | null {
  return client
    ? { name: client.name, logoUri: client.logoUri, supportEmail: client.supportEmail, supportUrl: client.supportUrl }
    : null;
}
