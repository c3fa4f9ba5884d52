import type { LogoutOrder } from '../core/oidc/logout-token.ts';
import { readLogoutOrder, type OutboxRow } from '../store/outbox.ts';

const TIMEOUT_MS = 5_000;

export type LogoutTokenSigner = (order: LogoutOrder) => Promise<string>;

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.5: the token POSTed as the form field `logout_token`; the
 * shop answers 200 or 204. Anything else (a redirect included) is a failed attempt, retried by the worker.
 */
export async function sendLogoutToken(
  row: OutboxRow,
  sign: LogoutTokenSigner,
  fetchImpl: typeof fetch = fetch,
): Promise<{ summary: string; answer: string }> {
  const order = readLogoutOrder(row.model);
  const response = await fetchImpl(row.recipient, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: await sign(order) }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await response.body?.cancel();
  const answer = `HTTP ${response.status}`;
  if (response.status !== 200 && response.status !== 204) throw new Error(`the shop answered ${answer}`);
  return {
    summary: `logout token for ${order.clientId} (${order.sid ? `sid ${order.sid}` : 'every session'})`,
    answer,
  };
}
