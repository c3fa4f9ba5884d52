import { createServer } from 'node:http';
import * as client from 'openid-client';
import { listenOnLoopback } from './loopback.ts';
import type { TestShop } from './oidc.ts';

/** A shop's access token for Mamori's API, as the shop itself (client credentials). */
export async function shopApiToken(issuer: string, shop: TestShop, scope = 'ssf.manage ssf.read'): Promise<string> {
  const tokens = await client.clientCredentialsGrant(shop.config, { scope, resource: `${issuer}/api` });
  return tokens.access_token;
}

/** Calls Mamori's API with a bearer token; answers the status, the content type and the parsed body. */
export async function callApi(
  issuer: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; type: string; body: unknown }> {
  const res = await fetch(new URL(path, issuer), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : null };
}

/**
 * An RFC 8935 push receiver on loopback: keeps each SET it accepts (202), answering first with the given
 * statuses (a 400 with an RFC 8935 error body), and records every request's content type and header.
 */
export async function setReceiver(statuses: number[] = []) {
  const accepted: string[] = [];
  const requests: { contentType: string; authorization: string | undefined }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({
        contentType: request.headers['content-type'] ?? '',
        authorization: request.headers.authorization,
      });
      const status = statuses.shift() ?? 202;
      if (status === 202) accepted.push(body);
      if (status === 400)
        response
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ err: 'invalid_key', description: 'key not yet known' }));
      else response.writeHead(status).end();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/events`,
    accepted,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
