import type { LogoutOrder } from '../core/oidc/logout-token.ts';
import { readLogoutOrder, type OutboxRow } from '../store/outbox.ts';
import type { PostToReceiver } from './http-post.ts';

export type LogoutTokenSigner = (order: LogoutOrder) => Promise<string>;

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.5: the token POSTed as the form field `logout_token`; the
 * shop answers 200 or 204. Anything else (a redirect included) is a failed attempt, retried by the worker.
 */
export async function sendLogoutToken(
  row: OutboxRow,
  sign: LogoutTokenSigner,
  postToReceiver: PostToReceiver,
): Promise<{ summary: string; answer: string }> {
  const order = readLogoutOrder(row.model);
  const response = await postToReceiver(
    row.recipient,
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ logout_token: await sign(order) }).toString(),
  );
  const answer = `HTTP ${response.status}`;
  if (response.status !== 200 && response.status !== 204) throw new Error(`the shop answered ${answer}`);
  return {
    summary: `logout token for ${order.clientId} (${order.sid ? `sid ${order.sid}` : 'every session'})`,
    answer,
  };
}
