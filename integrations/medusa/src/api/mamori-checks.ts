import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { ICacheService, ICartModuleService } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { ADDRESS_CONTEXT_PREFIX } from '../lib/claims';
import { holdOnOrder } from '../lib/held-orders';
import { accountDisabled, currentSid, refusal, type MedusaAuthContext } from '../lib/revocations';

type Handler = (req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) => Promise<void>;

const contextOf = (req: MedusaRequest) => (req as MedusaRequest & { auth_context?: MedusaAuthContext }).auth_context;

/** A token or session of a sign-in Mamori ended is refused (401), and the session is destroyed. */
export const refuseEndedSignIns: Handler = async (req, res, next) => {
  const context = contextOf(req);
  const why = context ? await refusal(req.scope, context) : null;
  if (!why) return next();
  const session = (req as MedusaRequest & { session?: { destroy(cb: () => void): void } }).session;
  if (session?.destroy) await new Promise<void>((resolve) => session.destroy(() => resolve()));
  res.status(401).json({ type: 'unauthorized', message: why });
};

/**
 * Medusa refreshes a token from the auth identity, which names the latest Mamori sign-in of the account:
 * a token of an earlier sign-in would come back naming someone else's (an intruder's token the owner's,
 * so his orders would pass for hers). Such a refresh is refused; the storefront signs in again.
 */
export const refuseRefreshAcrossSignIns: Handler = async (req, res, next) => {
  const context = contextOf(req);
  const sid = context?.user_metadata?.sid;
  const latest = context?.auth_identity_id ? await currentSid(req.scope, context.auth_identity_id) : null;
  if (context?.auth_provider !== 'mamori' || typeof sid !== 'string' || !latest || latest === sid) return next();
  res
    .status(401)
    .json({ type: 'unauthorized', message: 'Sign in again with Mamori: this token is of an earlier sign-in.' });
};

/** The customer's IP, browser and Mamori sign-in, as the shop-changes API takes them. */
const customerContext = (req: MedusaRequest) => {
  const sid = contextOf(req)?.user_metadata?.sid;
  return {
    ip: req.ip ?? '',
    user_agent: String(req.headers['user-agent'] ?? '').slice(0, 500),
    ...(typeof sid === 'string' ? { sid } : {}),
  };
};

/**
 * Saving an address runs in a workflow that knows nothing of the request: who saved it is kept in the
 * cache for a minute, under the customer, for the workflow hook that reports the address to Mamori.
 */
export const keepAddressContext: Handler = async (req, _res, next) => {
  const customerId = (req as MedusaRequest & { auth_context?: { actor_id?: string } }).auth_context?.actor_id;
  if (customerId)
    await req.scope
      .resolve<ICacheService>(Modules.CACHE)
      .set(`${ADDRESS_CONTEXT_PREFIX}${customerId}`, customerContext(req), 60);
  next();
};

/**
 * Before checkout completes: refused while Mamori says the account was hijacked; otherwise the
 * customer's IP, browser and Mamori sign-in (`sid`) are written on the cart, which Medusa copies onto
 * the order, so the order.placed report can name them.
 */
export const keepCheckoutContext: Handler = async (req, res, next) => {
  const context = contextOf(req);
  if (context?.auth_identity_id && (await accountDisabled(req.scope, context.auth_identity_id))) {
    res.status(403).json({
      type: 'not_allowed',
      message: 'This account is being secured; orders wait until its owner has it back.',
    });
    return;
  }
  const carts = req.scope.resolve<ICartModuleService>(Modules.CART);
  const cartId = String(req.params.id ?? '');
  const cart = await carts.retrieveCart(cartId, { select: ['id', 'metadata'] }).catch(() => null);
  if (cart)
    await carts.updateCarts([{ id: cart.id, metadata: { ...cart.metadata, mamori_customer: customerContext(req) } }]);
  next();
};

const refuseHeld = async (
  req: MedusaRequest,
  res: MedusaResponse,
  next: MedusaNextFunction,
  orderId: string | null,
) => {
  const hold = orderId ? await holdOnOrder(req.scope, orderId) : null;
  if (!hold) return next();
  res.status(409).json({ type: 'not_allowed', message: `This order is held: ${hold.reason}`, hold });
};

/** Fulfillment waits while the order is held. */
export const refuseFulfillingHeldOrders: Handler = (req, res, next) =>
  refuseHeld(req, res, next, String(req.params.id));

/** Capturing a payment waits while its order is held. */
export const refuseCapturingHeldOrders: Handler = async (req, res, next) => {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'payment',
    fields: ['id', 'payment_collection.order.id'],
    filters: { id: String(req.params.id) },
  });
  const orderId = (data[0] as { payment_collection?: { order?: { id?: string } } } | undefined)?.payment_collection
    ?.order?.id;
  return refuseHeld(req, res, next, orderId ?? null);
};
