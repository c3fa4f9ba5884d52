import { ADMIN } from './medusa-server.ts';

/** One call to Medusa's HTTP API; answers the status and the parsed body. */
export async function callMedusa(
  base: string,
  method: string,
  path: string,
  options: { token?: string; key?: string; body?: unknown; userAgent?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.key ? { 'x-publishable-api-key': options.key } : {}),
      ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const parse = (): Record<string, unknown> => {
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return { text };
    }
  };
  return { status: res.status, body: parse() };
}

/** A call that must succeed; its body, or an error saying what Medusa answered. */
export async function must<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: Parameters<typeof callMedusa>[3] = {},
): Promise<T> {
  const { status, body } = await callMedusa(base, method, path, options);
  if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  return body as T;
}

export interface SeededStore {
  adminToken: string;
  publishableKey: string;
  regionId: string;
  variantId: string;
  locationId: string;
}

/**
 * Sets up a store a customer can buy from, through the admin API as a shop owner would: a region (Japan,
 * yen, the manual payment provider), a sales channel with its publishable key, a warehouse with a
 * shipping option, and one product.
 */
export async function seedStore(base: string): Promise<SeededStore> {
  const { token: adminToken } = await must<{ token: string }>(base, 'POST', '/auth/user/emailpass', { body: ADMIN });
  const admin = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    must<T>(base, method, path, { token: adminToken, body });
  const { region } = await admin<{ region: { id: string } }>('POST', '/admin/regions', {
    name: 'Japan',
    currency_code: 'jpy',
    countries: ['jp'],
    payment_providers: ['pp_system_default'],
  });
  const { sales_channel: channel } = await admin<{ sales_channel: { id: string } }>('POST', '/admin/sales-channels', {
    name: 'Maple Market web',
  });
  const { api_key: key } = await admin<{ api_key: { id: string; token: string } }>('POST', '/admin/api-keys', {
    title: 'Storefront',
    type: 'publishable',
  });
  await admin('POST', `/admin/api-keys/${key.id}/sales-channels`, { add: [channel.id] });
  const { stock_location: location } = await admin<{ stock_location: { id: string } }>(
    'POST',
    '/admin/stock-locations',
    { name: 'Tokyo warehouse', address: { address_1: '1-1 Koto', country_code: 'jp' } },
  );
  await admin('POST', `/admin/stock-locations/${location.id}/sales-channels`, { add: [channel.id] });
  await admin('POST', `/admin/stock-locations/${location.id}/fulfillment-providers`, { add: ['manual_manual'] });
  const { stock_location: withSet } = await admin<{ stock_location: { fulfillment_sets: { id: string }[] } }>(
    'POST',
    `/admin/stock-locations/${location.id}/fulfillment-sets?fields=*fulfillment_sets`,
    { name: 'Tokyo delivery', type: 'shipping' },
  );
  const setId = withSet.fulfillment_sets[0]?.id;
  const { fulfillment_set: zoned } = await admin<{ fulfillment_set: { service_zones: { id: string }[] } }>(
    'POST',
    `/admin/fulfillment-sets/${setId}/service-zones`,
    { name: 'Japan', geo_zones: [{ type: 'country', country_code: 'jp' }] },
  );
  const { shipping_profiles: profiles } = await admin<{ shipping_profiles: { id: string }[] }>(
    'GET',
    '/admin/shipping-profiles',
  );
  const profileId =
    profiles[0]?.id ??
    (
      await admin<{ shipping_profile: { id: string } }>('POST', '/admin/shipping-profiles', {
        name: 'Default',
        type: 'default',
      })
    ).shipping_profile.id;
  await admin('POST', '/admin/shipping-options', {
    name: 'Standard delivery',
    service_zone_id: zoned.service_zones[0]?.id,
    shipping_profile_id: profileId,
    provider_id: 'manual_manual',
    price_type: 'flat',
    type: { label: 'Standard', description: 'Two days', code: 'standard' },
    prices: [{ currency_code: 'jpy', amount: 500 }],
    rules: [
      { attribute: 'enabled_in_store', operator: 'eq', value: 'true' },
      { attribute: 'is_return', operator: 'eq', value: 'false' },
    ],
  });
  const { product } = await admin<{ product: { variants: { id: string }[] } }>('POST', '/admin/products', {
    title: 'Rice cooker',
    status: 'published',
    shipping_profile_id: profileId,
    sales_channels: [{ id: channel.id }],
    options: [{ title: 'Size', values: ['One'] }],
    variants: [
      {
        title: 'One',
        options: { Size: 'One' },
        manage_inventory: false,
        prices: [{ currency_code: 'jpy', amount: 50000 }],
      },
    ],
  });
  return {
    adminToken,
    publishableKey: key.token,
    regionId: region.id,
    variantId: product.variants[0]?.id ?? '',
    locationId: location.id,
  };
}

export interface ShipTo {
  first_name: string;
  last_name: string;
  address_1: string;
  city: string;
  postal_code: string;
  country_code: string;
}

/** A signed-in customer buys one rice cooker with the manual payment provider; answers the order. */
export async function placeOrder(
  base: string,
  store: SeededStore,
  token: string,
  shipTo: ShipTo,
  userAgent: string,
): Promise<{ id: string; display_id: number; items: { id: string }[] }> {
  const opts = (body?: unknown) => ({ token, key: store.publishableKey, body, userAgent });
  const { cart } = await must<{ cart: { id: string } }>(
    base,
    'POST',
    '/store/carts',
    opts({ region_id: store.regionId }),
  );
  await must(base, 'POST', `/store/carts/${cart.id}`, opts({ shipping_address: shipTo, billing_address: shipTo }));
  await must(base, 'POST', `/store/carts/${cart.id}/line-items`, opts({ variant_id: store.variantId, quantity: 1 }));
  const { shipping_options: options } = await must<{ shipping_options: { id: string }[] }>(
    base,
    'GET',
    `/store/shipping-options?cart_id=${cart.id}`,
    opts(),
  );
  await must(base, 'POST', `/store/carts/${cart.id}/shipping-methods`, opts({ option_id: options[0]?.id }));
  const { payment_collection: collection } = await must<{ payment_collection: { id: string } }>(
    base,
    'POST',
    '/store/payment-collections',
    opts({ cart_id: cart.id }),
  );
  await must(
    base,
    'POST',
    `/store/payment-collections/${collection.id}/payment-sessions`,
    opts({ provider_id: 'pp_system_default' }),
  );
  const done = await must<{ type: string; order: { id: string; display_id: number; items: { id: string }[] } }>(
    base,
    'POST',
    `/store/carts/${cart.id}/complete`,
    opts(),
  );
  if (done.type !== 'order') throw new Error(`checkout did not make an order: ${JSON.stringify(done).slice(0, 300)}`);
  return done.order;
}
