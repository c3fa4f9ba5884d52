import { authenticate, defineMiddlewares } from '@medusajs/framework/http';
import {
  keepAddressContext,
  keepCheckoutContext,
  refuseCapturingHeldOrders,
  refuseEndedSignIns,
  refuseFulfillingHeldOrders,
  refuseRefreshAcrossSignIns,
} from './mamori-checks';

const customer = (options: { allowUnregistered?: boolean; allowUnauthenticated?: boolean }) =>
  authenticate('customer', ['session', 'bearer'], options);

/** Reads who is calling without refusing anyone: Medusa's own route decides who may call it. */
const anyone = authenticate('*', ['bearer'], { allowUnregistered: true, allowUnauthenticated: true });

/**
 * Mamori's containment reaches Medusa here: every customer request, token refresh and session made from
 * a token is checked against the sign-ins Mamori ended; checkout records who placed the order; an order
 * held at the owner's request is neither fulfilled nor captured until she decides.
 */
export default defineMiddlewares({
  routes: [
    { matcher: '/store/mamori/customer', method: 'POST', middlewares: [customer({ allowUnregistered: true })] },
    { matcher: '/store/*', middlewares: [customer({ allowUnauthenticated: true }), refuseEndedSignIns] },
    {
      matcher: '/auth/token/refresh',
      method: 'POST',
      middlewares: [anyone, refuseEndedSignIns, refuseRefreshAcrossSignIns],
    },
    { matcher: '/auth/session', method: 'POST', middlewares: [anyone, refuseEndedSignIns] },
    { matcher: '/store/carts/:id/complete', method: 'POST', middlewares: [keepCheckoutContext] },
    { matcher: '/store/customers/me/addresses', method: 'POST', middlewares: [keepAddressContext] },
    { matcher: '/admin/orders/:id/fulfillments', method: 'POST', middlewares: [refuseFulfillingHeldOrders] },
    { matcher: '/admin/payments/:id/capture', method: 'POST', middlewares: [refuseCapturingHeldOrders] },
    { matcher: '/mamori/security-events', method: 'POST', bodyParser: false },
  ],
});
