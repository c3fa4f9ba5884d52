import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { isDomainError } from '../core/errors.ts';
import { cryptoRandom, systemClock } from '../runtime/clock.ts';
import { secretBoxFor } from '../runtime/service-key.ts';
import {
  addClient,
  listClients,
  removeClient,
  rotateClientSecret,
  updateClientBranding,
  type ClientBranding,
  type ClientSummary,
} from '../services/oidc/clients.ts';
import { openStore } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';

const USAGE = `mamori client add --name … --redirect-uri … [--redirect-uri …] [--post-logout-redirect-uri …] [--backchannel-logout-uri …] [--first-party]
                         [--logo-uri https://…] [--support-email …] [--support-url https://…]
       mamori client update --id … [--logo-uri …] [--support-email …] [--support-url …]   (an empty value clears one)
       mamori client list
       mamori client remove --id …
       mamori client rotate-secret --id …`;

const OPTIONS = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  'first-party': { type: 'boolean' },
  'logo-uri': { type: 'string' },
  'support-email': { type: 'string' },
  'support-url': { type: 'string' },
  id: { type: 'string' },
} as const;

/** `mamori client …`: the shops allowed to sign customers in through Mamori. Secrets are printed once. */
export async function clientCommand(
  config: Readonly<Config>,
  argv: string[],
  write: (line: string) => void,
): Promise<number> {
  const [action, ...rest] = argv;
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>['values'];
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true }).values;
  } catch (error) {
    write(`mamori client: ${error instanceof Error ? error.message : String(error)}\nUsage: ${USAGE}`);
    return 2;
  }
  const store = openStore(config.databaseUrl);
  const deps = { db: store.db, clock: systemClock, random: cryptoRandom, secrets: secretBoxFor(config), config };
  try {
    await migrateToLatest(store.db);
    switch (action) {
      case 'add': {
        const { client, clientSecret } = await addClient(deps, {
          name: values.name ?? '',
          redirectUris: values['redirect-uri'] ?? [],
          postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
          backchannelLogoutUri: values['backchannel-logout-uri'],
          firstParty: values['first-party'] ?? false,
          ...branding(values),
        });
        write(`Client "${client.name}" added${client.firstParty ? ' (first party: no consent page)' : ''}.`);
        write(`client_id:     ${client.clientId}`);
        write(`client_secret: ${clientSecret}`);
        write(`issuer:        ${config.publicUrl}`);
        write('The secret is shown only now; Mamori keeps it sealed. Store it in the shop’s secret settings.');
        return 0;
      }
      case 'list': {
        const clients = await listClients(deps);
        if (clients.length === 0) write('No clients yet. Add one with `mamori client add`.');
        for (const c of clients) write(describeClient(c));
        return 0;
      }
      case 'update': {
        if (!values.id) {
          write(`mamori client update: --id is required\nUsage: ${USAGE}`);
          return 2;
        }
        const client = await updateClientBranding(deps, values.id, branding(values));
        write(`Client "${client.name}" updated; its sign-in pages show it from the next page on.`);
        write(describeClient(client));
        return 0;
      }
      case 'remove':
      case 'rotate-secret': {
        if (!values.id) {
          write(`mamori client ${action}: --id is required\nUsage: ${USAGE}`);
          return 2;
        }
        if (action === 'remove') {
          await removeClient(deps, values.id);
          write(`Client ${values.id} removed; every token it held is revoked.`);
        } else {
          write(`client_secret: ${await rotateClientSecret(deps, values.id)}`);
          write('The old secret no longer works. The new one is shown only now.');
        }
        return 0;
      }
      default:
        write(`Usage: ${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (!isDomainError(error)) throw error;
    write(
      `mamori client ${action}: ${error.code === 'NOT_FOUND' ? `no client with id ${values.id}` : (error.details.reason ?? error.code)}`,
    );
    return 2;
  } finally {
    await store.close();
  }
}

function branding(values: { 'logo-uri'?: string; 'support-email'?: string; 'support-url'?: string }): ClientBranding {
  return { logoUri: values['logo-uri'], supportEmail: values['support-email'], supportUrl: values['support-url'] };
}

function describeClient(c: ClientSummary): string {
  const lines = [
    `${c.clientId}  ${c.name}${c.firstParty ? '  (first party)' : ''}`,
    `  redirect: ${c.redirectUris.join(', ')}`,
    c.backchannelLogoutUri ? `  back-channel logout: ${c.backchannelLogoutUri}` : null,
    c.logoUri ? `  logo: ${c.logoUri}` : null,
    c.supportEmail || c.supportUrl ? `  support: ${[c.supportEmail, c.supportUrl].filter(Boolean).join(', ')}` : null,
  ];
  return lines.filter((line): line is string => line !== null).join('\n');
}
