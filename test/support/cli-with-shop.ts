import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { clientCommand } from '../../src/cli/client-commands.ts';
import { databaseUrlFor, type StoreName } from './harness.ts';

export interface CliWithShop {
  config: Config;
  /** What the commands printed since the last `out.length = 0`. */
  out: string[];
  write: (line: string) => void;
  /** The shop registered through `mamori client add`, as an operator does before an import. */
  clientId: string;
}

/** The CLI's configuration on a store (a SQLite file in `dir`), with one shop registered by the CLI itself. */
export async function cliWithShop(store: StoreName, dir: string): Promise<CliWithShop> {
  const url = store === 'sqlite' ? `sqlite:${join(dir, 'mamori.db')}` : await databaseUrlFor(store);
  const config = loadConfig({
    MAMORI_DATABASE_URL: url,
    MAMORI_SHOP_NAME: 'Maple Market',
    MAMORI_LOG_LEVEL: 'silent',
    MAMORI_PUBLIC_URL: 'http://localhost:3000',
  });
  const out: string[] = [];
  const write = (line: string) => void out.push(line);
  await clientCommand(config, ['add', '--name', 'Maple', '--redirect-uri', 'http://localhost:3001/cb'], write);
  const clientId = /client_id:\s+(\S+)/.exec(out.join('\n'))?.[1];
  if (!clientId) throw new Error(`client add printed no client_id: ${out.join('\n')}`);
  return { config, out, write, clientId };
}
