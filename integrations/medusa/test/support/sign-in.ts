import assert from 'node:assert/strict';
import type { TestClient } from '../../../../test/support/http-client.ts';
import { followInBrowser } from '../../../../test/support/oidc.ts';
import { CALLBACK, type MedusaWorld } from './medusa-beside.ts';
import type { SeededStore } from '../../scripts/store-api.ts';
import { must } from '../../scripts/store-api.ts';

/**
 * A customer signs in at the store as a storefront does it through Medusa's store API: Medusa's auth
 * route hands out Mamori's authorization URL, the browser (already signed in to Mamori) goes there and
 * comes back to the storefront's callback, the storefront passes code and state to Medusa's callback
 * route, makes sure the customer exists, and refreshes its token to act as the customer.
 */
export async function signInAtMedusa(
  world: MedusaWorld,
  browser: TestClient,
  store: SeededStore,
): Promise<{ token: string; customerId: string }> {
  const base = world.medusa.url;
  const { location } = await must<{ location: string }>(base, 'POST', '/auth/customer/mamori');
  assert.ok(location.startsWith(`${world.m.issuer}/`), location);
  const end = await followInBrowser(browser, new URL(location), world.m.issuer);
  assert.equal(end.url.origin + end.url.pathname, CALLBACK, `stopped at ${end.url.href}: ${end.body.slice(0, 300)}`);
  const { token: identityToken } = await must<{ token: string }>(
    base,
    'POST',
    `/auth/customer/mamori/callback${end.url.search}`,
  );
  const { customer } = await must<{ customer: { id: string } }>(base, 'POST', '/store/mamori/customer', {
    token: identityToken,
    key: store.publishableKey,
  });
  const { token } = await must<{ token: string }>(base, 'POST', '/auth/token/refresh', { token: identityToken });
  return { token, customerId: customer.id };
}
