import { findOidcPayload } from '../../store/oidc-payloads.ts';
import type { ServiceDeps } from '../deps.ts';
import { findClient } from './clients.ts';

const INTERACTION_PATH = /^\/interaction\/([\w-]{1,64})$/;

/**
 * The shop a sign-in or sign-up page is for (issue 25, "whose shop is this?"): when the page returns to
 * an authorization in progress, the name of the client that asked for it; otherwise null. An expired or
 * made-up interaction names nothing.
 */
export async function shopNameForReturnTo(
  deps: Pick<ServiceDeps, 'db' | 'clock'>,
  returnTo: string | undefined,
): Promise<string | null> {
  const uid = INTERACTION_PATH.exec(returnTo ?? '')?.[1];
  if (!uid) return null;
  const row = await findOidcPayload(deps.db, 'Interaction', { id: uid }, deps.clock.now().toISOString());
  if (!row) return null;
  const clientId = (JSON.parse(row.payload) as { params?: { client_id?: unknown } }).params?.client_id;
  return typeof clientId === 'string' ? ((await findClient(deps, clientId))?.name ?? null) : null;
}
