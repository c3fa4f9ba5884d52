// The shop client (packages/client): verifying an ID token with the key set it keeps, against the least
// that can be: jose's jwtVerify with the public key already in hand. Both check signature, issuer,
// audience and expiry; the client also fetched the key set once before the timing starts. Bounded by count.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { tokenVerifier } from '../packages/client/src/index.ts';
import { listenOnLoopback } from '../test/support/loopback.ts';

const VERIFICATIONS = Number(process.env.CLIENT_VERIFICATIONS ?? 5000);
const ROUNDS = 3;

async function perVerification(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i += 1) await run();
  const started = performance.now();
  for (let i = 0; i < VERIFICATIONS; i += 1) await run();
  return ((performance.now() - started) * 1000) / VERIFICATIONS;
}

export async function benchClientVerify(): Promise<void> {
  const issuer = 'http://127.0.0.1/issuer';
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const server = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  const port = await listenOnLoopback(server);
  try {
    const token = await new SignJWT({ sub: 'acct-1', email: 'shopper@bench.example', sid: 'sid-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('shop-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const verify = tokenVerifier({ issuer, clientId: 'shop-1', jwksUri: `http://127.0.0.1:${port}/jwks` });
    const client: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      client.push(await perVerification(() => verify.idToken(token)));
      bare.push(await perVerification(() => jwtVerify(token, publicKey, { issuer, audience: 'shop-1' })));
    }
    const best = (values: number[]) => Math.min(...values);
    console.log(`\nshop client: ID token verification, ${VERIFICATIONS} a round, best of ${ROUNDS}`);
    console.log(`  packages/client idToken()        ${best(client).toFixed(1).padStart(7)} µs   (target < 1000 µs)`);
    console.log(`  jose jwtVerify, key in hand       ${best(bare).toFixed(1).padStart(7)} µs`);
    console.log(`  ratio (bare time / client time)   ${(best(bare) / best(client)).toFixed(3)}`);
  } finally {
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchClientVerify();
  process.exit(0);
}
