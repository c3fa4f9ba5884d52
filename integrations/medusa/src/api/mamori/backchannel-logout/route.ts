import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { verifyLogoutToken } from '../../../lib/mamori-tokens';
import { endEverySignIn, endSignIn } from '../../../lib/revocations';
import { actOnce } from '../../../lib/seen-once';
import { mamoriSettings } from '../../../lib/settings';

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.6: Mamori posts a signed logout token when a sign-in ends
 * there (a sign-out, a password change, a containment); the Medusa tokens and sessions of that sign-in
 * are refused from then on. 200 when done (or already done), 400 when the token does not verify.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  res.setHeader('cache-control', 'no-store');
  const token = (req.body as Record<string, unknown> | undefined)?.logout_token;
  if (typeof token !== 'string') {
    res.status(400).json({ error: 'invalid_request' });
    return;
  }
  try {
    const order = await verifyLogoutToken(mamoriSettings(), token);
    const { sub, sid } = order;
    if (sub)
      await actOnce(req.scope, 'logout', order.jti, () =>
        sid ? endSignIn(req.scope, sub, sid) : endEverySignIn(req.scope, sub, order.issuedAt),
      );
    res.status(200).end();
  } catch {
    res.status(400).json({ error: 'invalid_request' });
  }
}
