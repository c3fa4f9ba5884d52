import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { addClient, findClient, findClientByName, rotateClientSecret } from '../services/oidc/clients.ts';
import type { ServiceDeps } from '../services/deps.ts';

const CLIENT_NAME = 'Example shop (examples/shop)';
const CLIENT_FILE = './data/example-shop-client.json';
const savedClient = z.object({ clientId: z.string(), clientSecret: z.string() });

/**
 * Development only: the example storefront beside Mamori, registered on first start as a first-party
 * client (its secret kept in ./data, as a shop would keep it in its own settings), so a new user sees
 * the integration at once.
 */
export async function startExampleShop(
  deps: ServiceDeps,
  config: Readonly<Config>,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const shopUrl = `http://localhost:${port}`;
  const saved = existsSync(CLIENT_FILE) ? savedClient.safeParse(JSON.parse(readFileSync(CLIENT_FILE, 'utf8'))) : null;
  const reusable = saved?.success && (await findClient(deps, saved.data.clientId)) ? saved.data : null;
  const { clientId, clientSecret } = reusable ?? (await registerShop(deps, shopUrl));
  const { startShop } = await import('../../examples/shop/shop.ts');
  return startShop({
    issuer: config.publicUrl,
    clientId,
    clientSecret,
    port,
    databaseFile: './data/example-shop.db',
  });
}

/** Registers the shop (or gives it a new secret when only its saved credentials were lost). */
async function registerShop(deps: ServiceDeps, shopUrl: string): Promise<z.infer<typeof savedClient>> {
  const existing = await findClientByName(deps, CLIENT_NAME);
  const credentials = existing
    ? { clientId: existing.clientId, clientSecret: await rotateClientSecret(deps, existing.clientId) }
    : await addClient(deps, {
        name: CLIENT_NAME,
        redirectUris: [`${shopUrl}/callback`],
        postLogoutRedirectUris: [`${shopUrl}/`],
        backchannelLogoutUri: `${shopUrl}/backchannel-logout`,
        firstParty: true,
      }).then(({ client, clientSecret }) => ({ clientId: client.clientId, clientSecret }));
  mkdirSync('./data', { recursive: true });
  writeFileSync(CLIENT_FILE, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}
