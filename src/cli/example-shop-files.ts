import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';

export interface ExampleShopFiles {
  /** The shop's own SQLite file (its sessions and orders). */
  database: string;
  /** The client id and secret Mamori gave it. */
  client: string;
}

/**
 * Where the example shop keeps its data: beside Mamori's SQLite file, named after it
 * (`data/mamori.sqlite` → `data/mamori-example-shop.db`), so each Mamori has its shop; for PostgreSQL
 * (or an in-memory store) a folder of its own under the system's temporary directory, named after the
 * database (host, port and name, never the password), never the checkout's `./data`.
 */
export function exampleShopFiles(databaseUrl: string, temporary = tmpdir()): ExampleShopFiles {
  const file = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : null;
  if (file && file !== ':memory:') {
    const path = resolve(file);
    const stem = basename(path, extname(path));
    return beside(dirname(path), `${stem}-example-shop`);
  }
  const url = file ? null : new URL(databaseUrl);
  const where = url ? `${url.hostname}:${url.port}${url.pathname}` : `memory:${process.pid}`;
  const folder = join(
    temporary,
    `mamori-example-shop-${createHash('sha256').update(where).digest('hex').slice(0, 16)}`,
  );
  return beside(folder, 'example-shop');
}

function beside(folder: string, stem: string): ExampleShopFiles {
  return { database: join(folder, `${stem}.db`), client: join(folder, `${stem}-client.json`) };
}
