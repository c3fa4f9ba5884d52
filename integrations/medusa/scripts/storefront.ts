import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { must, type SeededStore } from './store-api.ts';

/**
 * The smallest storefront that shows the sign-in working: "Sign in with Mamori" asks Medusa's auth route
 * for Mamori's address, the callback hands code and state to Medusa, makes sure the customer exists and
 * shows who is signed in. Tokens stay in this process's memory, named by a random cookie.
 */
const TEXT = {
  en: {
    title: 'Maple Market (Medusa)',
    signIn: 'Sign in with Mamori',
    signedIn: 'Signed in to Medusa as {email} (customer {id}).',
    failed: 'The sign-in did not complete: {why}',
  },
  ja: {
    title: 'Maple Market（Medusa）',
    signIn: 'Mamori でログイン',
    signedIn: '{email} として Medusa にログインしています（顧客 {id}）。',
    failed: 'ログインできませんでした：{why}',
  },
} as const;

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(res: ServerResponse, status: number, lang: 'en' | 'ja', body: string) {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(
      `<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>${escape(TEXT[lang].title)}</title><h1>${escape(TEXT[lang].title)}</h1>${body}`,
    );
}

export function startStorefront(medusaUrl: string, store: SeededStore, port: number) {
  const sessions = new Map<string, { token: string; email: string; id: string }>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    const lang = /^ja\b/.test(String(req.headers['accept-language'] ?? '')) ? 'ja' : 'en';
    const t = TEXT[lang];
    if (url.pathname === '/login' && req.method === 'GET') {
      const { location } = await must<{ location: string }>(medusaUrl, 'POST', '/auth/customer/mamori');
      res.writeHead(303, { location }).end();
      return;
    }
    if (url.pathname === '/account/mamori/callback') {
      try {
        const { token } = await must<{ token: string }>(
          medusaUrl,
          'POST',
          `/auth/customer/mamori/callback${url.search}`,
        );
        const { customer } = await must<{ customer: { id: string; email: string } }>(
          medusaUrl,
          'POST',
          '/store/mamori/customer',
          { token, key: store.publishableKey },
        );
        const refreshed = await must<{ token: string }>(medusaUrl, 'POST', '/auth/token/refresh', { token });
        const id = randomBytes(24).toString('base64url');
        sessions.set(id, { token: refreshed.token, email: customer.email, id: customer.id });
        res.writeHead(303, { location: '/', 'set-cookie': `store=${id}; Path=/; HttpOnly; SameSite=Lax` }).end();
      } catch (error) {
        page(
          res,
          400,
          lang,
          `<p>${escape(t.failed.replace('{why}', error instanceof Error ? error.message : ''))}</p>`,
        );
      }
      return;
    }
    const cookie = /(?:^|;\s*)store=([\w-]+)/.exec(String(req.headers.cookie ?? ''))?.[1];
    const session = cookie ? sessions.get(cookie) : undefined;
    const alive =
      session &&
      (await fetch(`${medusaUrl}/store/customers/me`, {
        headers: { authorization: `Bearer ${session.token}`, 'x-publishable-api-key': store.publishableKey },
      }).then((r) => r.ok));
    page(
      res,
      200,
      lang,
      alive && session
        ? `<p>${escape(t.signedIn.replace('{email}', session.email).replace('{id}', session.id))}</p>`
        : `<p><a href="/login">${escape(t.signIn)}</a></p>`,
    );
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(502).end());
  });
  server.listen(port, '127.0.0.1');
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
