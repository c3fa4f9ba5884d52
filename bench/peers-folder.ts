// bench/peers/ (Better Auth with its OAuth provider plugin, its own package.json and exact lock file),
// installed in place the first time a bench needs it and again when its lock file changes; never into
// Mamori's own node_modules. Used by `npm run bench:peers` and by bench/oidc-peers.ts run alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));

/** npm ci in bench/peers/ when its node_modules is missing or was installed from another lock file. */
export function preparePeersFolder(): void {
  const stamp = `${PEERS}node_modules/.bench-lock`;
  const lock = readFileSync(`${PEERS}package-lock.json`, 'utf8');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return;
  console.log(`bench: installing ${PEERS} (npm ci; better-sqlite3 compiles, about two minutes)`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEERS, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm ci in ${PEERS} exited with ${result.status}`);
  writeFileSync(stamp, lock);
}
