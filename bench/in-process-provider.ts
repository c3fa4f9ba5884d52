// A checkout's OpenID Provider for the interleaved benches (oidc-cpu-interleaved.ts,
// shop-sign-in-interleaved.ts): started in this process by that checkout's own bench/oidc-servers.ts (and
// so its src), its request listener handed back to be driven without sockets, with the codes it minted.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { MintedCodes } from './oidc-servers.ts';

export type Listener = (request: http.IncomingMessage, response: http.ServerResponse) => void;
type Serve = {
  serveMamoriProvider(port: number, file: string, count: number, codesFile: string): Promise<void>;
  serveBareProvider(port: number, count: number, codesFile: string, file?: string): Promise<void>;
};

// The servers listen as they do for the other benches; their request listeners are what is driven.
const servers: http.Server[] = [];
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function capture(this: http.Server, ...args: Parameters<typeof listen>) {
  servers.push(this);
  return listen.apply(this, args);
} as typeof listen;

/** Mamori's provider from `checkout` (or, `bare`, its bare durable oidc-provider), `codes` codes minted, files in `dir`. */
export async function startInProcess(options: {
  name: string;
  checkout: string;
  dir: string;
  port: number;
  codes: number;
  bare: boolean;
}): Promise<{ listener: Listener; minted: MintedCodes }> {
  const { name, checkout, dir, port, codes, bare } = options;
  const serve = (await import(join(checkout, 'bench', 'oidc-servers.ts'))) as Serve;
  const codesFile = join(dir, `${name}.json`);
  const file = join(dir, `${name}.sqlite`);
  if (bare) await serve.serveBareProvider(port, codes, codesFile, file);
  else await serve.serveMamoriProvider(port, file, codes, codesFile);
  const listener = servers.at(-1)?.listeners('request')[0] as Listener;
  return { listener, minted: JSON.parse(readFileSync(codesFile, 'utf8')) as MintedCodes };
}
