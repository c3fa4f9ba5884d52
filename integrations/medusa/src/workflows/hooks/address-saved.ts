import type { ICacheService, ICustomerModuleService, Logger } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { createCustomerAddressesWorkflow } from '@medusajs/medusa/core-flows';
import { ADDRESS_CONTEXT_PREFIX, MAMORI_SUB_KEY } from '../../lib/claims';
import { mamoriApi } from '../../lib/mamori-api';
import { mamoriSettings } from '../../lib/settings';

/**
 * An address a Mamori customer saves at the store is reported to Mamori's shop-changes API (a new
 * delivery address is one of the things an intruder adds), with who saved it as the request left it in
 * the cache. A report that fails is logged; saving the address never waits on Mamori's answer to succeed.
 */
createCustomerAddressesWorkflow.hooks.addressesCreated(async ({ addresses }, { container }) => {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER);
  const customers = container.resolve<ICustomerModuleService>(Modules.CUSTOMER);
  const cache = container.resolve<ICacheService>(Modules.CACHE);
  for (const address of addresses) {
    const customer = await customers.retrieveCustomer(address.customer_id, { select: ['id', 'metadata'] });
    const sub = customer.metadata?.[MAMORI_SUB_KEY];
    if (typeof sub !== 'string') continue;
    const who = (await cache.get<{ ip: string; user_agent: string; sid?: string }>(
      `${ADDRESS_CONTEXT_PREFIX}${address.customer_id}`,
    )) ?? { ip: '0.0.0.0', user_agent: '' };
    const recipient = [address.first_name, address.last_name].filter(Boolean).join(' ');
    await mamoriApi(mamoriSettings())
      .reportAddress(
        sub,
        address.id,
        {
          ...(recipient ? { recipient } : {}),
          line1: address.address_1 || '(no address)',
          ...(address.address_2 ? { line2: address.address_2 } : {}),
          ...(address.city ? { city: address.city } : {}),
          ...(address.province ? { region: address.province } : {}),
          ...(address.postal_code ? { postalCode: address.postal_code } : {}),
          country: (address.country_code || 'jp').toUpperCase(),
        },
        { ip: who.ip || '0.0.0.0', userAgent: who.user_agent, ...(who.sid ? { sid: who.sid } : {}) },
      )
      .catch((error: unknown) => logger.warn(`mamori: address ${address.id} not reported (${String(error)})`));
  }
});
