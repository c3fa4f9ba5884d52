import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.ts';
import {
  addClient,
  findClient,
  findClientByName,
  rotateClientSecret,
  updateClientBranding,
} from '../services/oidc/clients.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { exampleShopFiles } from './example-shop-files.ts';

/** Registered under the shop's own name, so its sign-in pages say "Maple Market storefront". */
const clientName = (config: Pick<Config, 'shopName'>) => `${config.shopName} storefront`;
/** What earlier versions registered it as: a development database keeps its client. */
const EARLIER_CLIENT_NAME = 'Example shop (examples/shop)';
const savedClient = z.object({ clientId: z.string(), clientSecret: z.string() });

/**
 * Development only: the example storefront beside Mamori, registered on first start as a first-party
 * client (its secret kept beside Mamori's database, as a shop would keep it in its own settings), so a
 * new user sees the integration at once. Its files belong to this Mamori: two instances started from one
 * checkout, each with its own database, each have their own shop.
 */
export async function startExampleShop(
  deps: ServiceDeps,
  config: Readonly<Config>,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const shopUrl = `http://localhost:${port}`;
  const files = exampleShopFiles(config.databaseUrl);
  mkdirSync(dirname(files.database), { recursive: true });
  const saved = existsSync(files.client) ? savedClient.safeParse(JSON.parse(readFileSync(files.client, 'utf8'))) : null;
  const reusable = saved?.success && (await findClient(deps, saved.data.clientId)) ? saved.data : null;
  const { clientId, clientSecret } = reusable ?? (await registerShop(deps, clientName(config), shopUrl, files.client));
  // Its logo and contact on Mamori's sign-in pages, also for a shop registered before they existed.
  await updateClientBranding(deps, clientId, {
    logoUri: `${shopUrl}/logo.svg`,
    supportEmail: `help@${domainLabel(config.shopName)}.example`,
  });
  const { startShop } = await import('../../examples/shop/shop.ts');
  return startShop({
    issuer: config.publicUrl,
    clientId,
    clientSecret,
    port,
    databaseFile: files.database,
    timeZone: config.timeZone,
    defaultLocale: config.defaultLocale,
    shopName: config.shopName,
  });
}

/** Registers the shop (or gives it a new secret when only its saved credentials were lost). */
async function registerShop(
  deps: ServiceDeps,
  name: string,
  shopUrl: string,
  clientFile: string,
): Promise<z.infer<typeof savedClient>> {
  const existing = (await findClientByName(deps, name)) ?? (await findClientByName(deps, EARLIER_CLIENT_NAME));
  const credentials = existing
    ? { clientId: existing.clientId, clientSecret: await rotateClientSecret(deps, existing.clientId) }
    : await addClient(deps, {
        name,
        redirectUris: [`${shopUrl}/callback`],
        postLogoutRedirectUris: [`${shopUrl}/`],
        backchannelLogoutUri: `${shopUrl}/backchannel-logout`,
        firstParty: true,
      }).then(({ client, clientSecret }) => ({ clientId: client.clientId, clientSecret }));
  writeFileSync(clientFile, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** "Maple Market" → "maple-market"; a name with no latin letters or digits → "shop". */
function domainLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'shop';
}
