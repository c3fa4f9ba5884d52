import type { AuthenticatedMedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { IAuthModuleService, ICustomerModuleService } from '@medusajs/framework/types';
import { MedusaError, Modules } from '@medusajs/framework/utils';
import { createCustomerAccountWorkflow } from '@medusajs/medusa/core-flows';
import { MAMORI_SUB_KEY, type MamoriUserMetadata } from '../../../../lib/claims';

/**
 * After the sign-in callback, the storefront calls this once with the token it got: the customer of this
 * Mamori account is found (already linked), linked (the shop's own id from an import, carried in the ID
 * token, names a customer without an account) or created; its email follows Mamori's. Then the
 * storefront refreshes its token (POST /auth/token/refresh) to act as the customer.
 */
export async function POST(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  const context = req.auth_context;
  if (context.auth_provider !== 'mamori' || context.actor_type !== 'customer')
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, 'Only a customer signed in with Mamori.');
  const who = context.user_metadata as Partial<MamoriUserMetadata>;
  const email = typeof who.email === 'string' ? who.email : null;
  if (!email) throw new MedusaError(MedusaError.Types.INVALID_DATA, 'Mamori gave no email for this account.');
  const customers = req.scope.resolve<ICustomerModuleService>(Modules.CUSTOMER);
  const auth = req.scope.resolve<IAuthModuleService>(Modules.AUTH);
  const identity = await auth.retrieveAuthIdentity(context.auth_identity_id, { relations: ['provider_identities'] });
  const sub = identity.provider_identities?.find((p) => p.provider === 'mamori')?.entity_id;
  if (!sub) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, 'Only a customer signed in with Mamori.');
  const linked = identity.app_metadata?.customer_id;
  // The customer remembers its Mamori account, so an order can be reported under it.
  const keep = async (id: string, metadata: Record<string, unknown> | null) =>
    customers.updateCustomers(id, { email, metadata: { ...metadata, [MAMORI_SUB_KEY]: sub } });

  if (typeof linked === 'string') {
    const customer = await customers.retrieveCustomer(linked);
    if (customer.email !== email || customer.metadata?.[MAMORI_SUB_KEY] !== sub) await keep(linked, customer.metadata);
    res.json({ customer: { id: linked, email }, linked: 'already' });
    return;
  }
  const imported = typeof who.shop_customer_id === 'string' ? who.shop_customer_id : null;
  if (imported) {
    const [customer] = await customers.listCustomers({ id: imported, has_account: false });
    if (customer) {
      await auth.updateAuthIdentities([
        { id: identity.id, app_metadata: { ...identity.app_metadata, customer_id: customer.id } },
      ]);
      await keep(customer.id, customer.metadata);
      res.json({ customer: { id: customer.id, email }, linked: 'imported' });
      return;
    }
  }
  const [first_name, ...rest] = (typeof who.name === 'string' ? who.name : '').split(' ');
  const { result } = await createCustomerAccountWorkflow(req.scope).run({
    input: {
      authIdentityId: identity.id,
      customerData: {
        email,
        first_name: first_name || undefined,
        last_name: rest.join(' ') || undefined,
        metadata: { [MAMORI_SUB_KEY]: sub },
      },
    },
  });
  res.json({ customer: { id: result.id, email }, linked: 'created' });
}
