// The bench shop's two endpoints, in a process of their own (a shop is another system, with its own CPU):
// back-channel logout (a form with `logout_token`, 200) and Shared Signals push (`application/secevent+jwt`,
// 202). Each token is verified against Mamori's JWKS before the answer. The parent hears, over IPC, when
// the shop answered for an account, as epoch milliseconds (performance.timeOrigin + now), comparable
// across processes.
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { listenOnLoopback } from '../test/support/loopback.ts';

export type ShopHeard = { what: 'logout' | 'disabled'; sub: string; at: number };

const issuer = process.argv[2] ?? '';
const jwks = createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`));
const tell = (heard: ShopHeard) => process.send?.(heard);

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const isEvent = req.url === '/events';
    const token = isEvent ? body : (new URLSearchParams(body).get('logout_token') ?? '');
    jwtVerify(token, jwks, { issuer, typ: isEvent ? 'secevent+jwt' : 'logout+jwt' })
      .then(({ payload }) => {
        res.writeHead(isEvent ? 202 : 200).end();
        const at = performance.timeOrigin + performance.now();
        if (!isEvent) return tell({ what: 'logout', sub: String(payload.sub), at });
        const subject = payload.sub_id as { sub?: string } | undefined;
        if (Object.keys(payload.events ?? {}).some((type) => type.endsWith('/account-disabled')))
          tell({ what: 'disabled', sub: String(subject?.sub), at });
      })
      .catch(() => res.writeHead(400).end());
  });
});
const port = await listenOnLoopback(server);
process.send?.({ port });
process.on('disconnect', () => process.exit(0));
