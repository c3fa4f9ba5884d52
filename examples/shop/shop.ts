import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import {
  EVENT_TYPES,
  HOLD_CLAIM,
  shopApi,
  tokenVerifier,
  undoRequestedEventType,
  type UndoAnswer,
} from '../../packages/client/src/index.ts';
import { escape } from './escape.ts';
import { formatTime, formatYen } from './formats.ts';
import { securityHeaders } from './headers.ts';
import { keepLanguage, localeOf, switchHref, translator, type Locale } from './i18n.ts';
import { page, serveLogo, serveStylesheet, type PageContext } from './layout.ts';
import { carryOutUndoRequest, orderStatusNote, type UndoRequest } from './order-requests.ts';

/**
 * A small storefront that signs its customers in through Mamori, as any shop would with an OpenID
 * Connect library: code + PKCE, the account from the ID token, orders kept in its own SQLite file, and
 * its sessions ended the moment Mamori sends a back-channel logout token (an account was contained).
 * It reports each order to Mamori with the sign-in it was placed under, and opens a Shared Signals
 * stream at start: when Mamori says an account was hijacked (`account-disabled`), the shop ends its
 * sessions and takes no orders until the account is enabled again; when a containment asks it to hold
 * an order (Mamori's `undo-requested`), it holds that order and answers.
 */
export interface ShopOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
  databaseFile: string;
  host?: string;
  /** The shop's clock for checking tokens (tests pass Mamori's fake clock). */
  now?: () => Date;
  /** Every time on a page is shown in this zone (IANA name); Asia/Tokyo unless told. */
  timeZone?: string;
  /** The language for a browser that asks for neither Japanese nor English. */
  defaultLocale?: Locale;
  /** The shop's name on every page; the same name Mamori's pages and mails use (MAMORI_SHOP_NAME). */
  shopName?: string;
}

const SESSION_COOKIE = 'shop_session';
const PENDING_COOKIE = 'shop_sign_in';
const DEMO_CARD = 'VISA •••• 4242 (demo card)';

interface ShopSession {
  id: string;
  sub: string;
  sid: string | null;
  email: string;
  name: string;
  id_token: string;
  refresh_token: string | null;
  hold_until: number | null;
}

export async function startShop(options: ShopOptions): Promise<{ url: string; close(): Promise<void> }> {
  const now = options.now ?? (() => new Date());
  const shopName = options.shopName ?? 'Maple Market';
  const db = new Database(options.databaseFile);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, sub TEXT NOT NULL, sid TEXT, email TEXT NOT NULL,
      name TEXT NOT NULL, id_token TEXT NOT NULL, refresh_token TEXT, hold_until INTEGER, created_at TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS sessions_sub ON sessions (sub);
    CREATE TABLE IF NOT EXISTS pending_sign_ins (id TEXT PRIMARY KEY, verifier TEXT NOT NULL, state TEXT NOT NULL,
      nonce TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, sub TEXT NOT NULL, item TEXT NOT NULL,
      address TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS logout_tokens_seen (jti TEXT PRIMARY KEY, received_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS security_events_seen (jti TEXT PRIMARY KEY, received_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS account_holds (sub TEXT PRIMARY KEY, since TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS saved_cards (sub TEXT PRIMARY KEY, display TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS undo_answers (request_id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, answer TEXT NOT NULL,
      note TEXT, sent_at TEXT);
  `);
  // Shops made before security events and order reports kept fewer columns.
  const orderColumns = new Set(
    (db.prepare('PRAGMA table_info(orders)').all() as { name: string }[]).map((c) => c.name),
  );
  for (const [column, definition] of [
    ['status', "TEXT NOT NULL DEFAULT 'placed'"],
    ['amount', 'INTEGER NOT NULL DEFAULT 0'],
    ['card', "TEXT NOT NULL DEFAULT ''"],
    ['reported_at', 'TEXT'],
    ['sid', 'TEXT'],
    ['ip', "TEXT NOT NULL DEFAULT ''"],
    ['user_agent', "TEXT NOT NULL DEFAULT ''"],
  ] as const)
    if (!orderColumns.has(column)) db.exec(`ALTER TABLE orders ADD COLUMN ${column} ${definition}`);
  const url = `http://localhost:${options.port}`;
  const timeZone = options.timeZone ?? 'Asia/Tokyo';
  const ctxOf = (request: FastifyRequest): PageContext => {
    const locale = localeOf(request, options.defaultLocale ?? 'ja');
    return { locale, t: translator(locale), switchHref: switchHref(request, locale), shopName };
  };
  const redirectUri = `${url}/callback`;
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, {
    execute: options.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
  });
  // Tokens and events are checked with Mamori's client for shop backends (packages/client).
  const verify = tokenVerifier({
    issuer: options.issuer,
    clientId: options.clientId,
    now,
    jwksUri: String(config.serverMetadata().jwks_uri),
  });
  const newId = () => randomBytes(24).toString('base64url');
  const mamori = shopApi({
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    now,
  });

  /** Reports and answers that could not reach Mamori are tried again on the next order or event. */
  const sendPending = async () => {
    const orders = db
      .prepare(
        'SELECT rowid AS number, sub, item, amount, address, card, sid, ip, user_agent FROM orders WHERE reported_at IS NULL',
      )
      .all() as {
      number: number;
      sub: string;
      item: string;
      amount: number;
      address: string;
      card: string;
      sid: string | null;
      ip: string;
      user_agent: string;
    }[];
    for (const order of orders)
      await mamori
        .reportChange(
          order.sub,
          {
            type: 'order-placed',
            orderId: String(order.number),
            amount: { value: String(order.amount), currency: 'JPY' },
            shipTo: { line1: order.address, country: 'JP' },
            paymentMethod: { reference: `saved-card:${order.sub}`, display: order.card },
            items: [{ name: order.item }],
          },
          { ip: order.ip, userAgent: order.user_agent, ...(order.sid ? { sid: order.sid } : {}) },
        )
        .then(() =>
          db.prepare('UPDATE orders SET reported_at = ? WHERE rowid = ?').run(now().toISOString(), order.number),
        )
        .catch((error: unknown) => process.stderr.write(`example shop: order report waits (${String(error)})\n`));
    const answers = db.prepare('SELECT * FROM undo_answers WHERE sent_at IS NULL').all() as {
      request_id: string;
      endpoint: string;
      answer: UndoAnswer;
      note: string | null;
    }[];
    for (const answer of answers)
      await mamori
        .answerUndoRequest(answer.endpoint, answer.answer, answer.note ?? undefined)
        .then(() =>
          db
            .prepare('UPDATE undo_answers SET sent_at = ? WHERE request_id = ?')
            .run(now().toISOString(), answer.request_id),
        )
        .catch((error: unknown) => process.stderr.write(`example shop: answer waits (${String(error)})\n`));
  };

  const sessionOf = (request: FastifyRequest): ShopSession | undefined => {
    const id = request.cookies[SESSION_COOKIE];
    return id ? (db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as ShopSession | undefined) : undefined;
  };
  /** Forms are accepted only from the shop's own pages (the session cookie is SameSite=Lax too). */
  const sameOrigin = (request: FastifyRequest) => request.headers.origin === url;
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);

  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
  securityHeaders(app, { shopUrl: url, issuer: options.issuer });
  app.addHook('onRequest', async (request, reply) => keepLanguage(request, reply, url.startsWith('https:')));
  serveStylesheet(app);
  serveLogo(app);

  app.get('/', async (request, reply) => {
    const session = sessionOf(request);
    const ctx = ctxOf(request);
    const { t } = ctx;
    if (!session)
      return html(
        reply,
        200,
        page(
          ctx,
          t('welcome.title'),
          `<p>${escape(t('welcome.lead'))}</p><p><a class="button" href="/login">${escape(t('welcome.signIn'))}</a></p>`,
        ),
      );
    const orders = db
      .prepare(
        'SELECT rowid AS number, item, address, amount, status FROM orders WHERE sub = ? ORDER BY created_at DESC, rowid DESC',
      )
      .all(session.sub) as { number: number; item: string; address: string; amount: number; status: string }[];
    const card = db.prepare('SELECT display FROM saved_cards WHERE sub = ?').get(session.sub) as
      { display: string } | undefined;
    const hold =
      session.hold_until && session.hold_until * 1000 > now().getTime()
        ? `<p class="note">${escape(t('home.hold', { time: formatTime(ctx.locale, timeZone, new Date(session.hold_until * 1000)) }))}</p>`
        : '';
    const orderLine = (o: (typeof orders)[number]) =>
      `<li data-order="${o.number}">#${o.number} ${escape(o.item)} → ${escape(o.address)} · ${formatYen(ctx.locale, o.amount)}${orderStatusNote(o.status, t)}</li>`;
    return html(
      reply,
      200,
      page(
        ctx,
        t('home.title', { name: session.name }),
        `<p>${escape(t('home.signedInAs', { email: session.email }))}</p>${hold}
<form method="post" action="/orders"><label for="item">${escape(t('order.item'))}</label><input id="item" name="item" required maxlength="100">
<label for="amount">${escape(t('order.amount'))}</label><input id="amount" name="amount" type="number" min="1" max="10000000" value="5000" required>
<label for="address">${escape(t('order.address'))}</label><input id="address" name="address" required maxlength="300">
<label for="card">${escape(t('order.card'))}</label><select id="card" name="card"><option value="saved">${escape(card?.display ?? DEMO_CARD)}</option></select>
<button type="submit">${escape(t('order.submit'))}</button></form>
<h2>${escape(t('orders.title'))}</h2>${orders.length ? `<ul>${orders.map(orderLine).join('')}</ul>` : `<p>${escape(t('orders.none'))}</p>`}
<form method="post" action="/logout"><button type="submit">${escape(t('signOut'))}</button></form>`,
      ),
    );
  });

  app.get('/login', async (request, reply) => {
    const pending = {
      id: newId(),
      verifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    };
    db.prepare('INSERT INTO pending_sign_ins (id, verifier, state, nonce, created_at) VALUES (?, ?, ?, ?, ?)').run(
      pending.id,
      pending.verifier,
      pending.state,
      pending.nonce,
      now().toISOString(),
    );
    const target = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      // Mamori's sign-in page opens in the language she is reading the shop in.
      ui_locales: ctxOf(request).locale,
    });
    reply.setCookie(PENDING_COOKIE, pending.id, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 600 });
    return reply.redirect(target.href, 303);
  });

  app.get('/callback', async (request, reply) => {
    const pendingId = request.cookies[PENDING_COOKIE] ?? '';
    const pending = db.prepare('SELECT * FROM pending_sign_ins WHERE id = ?').get(pendingId) as
      { verifier: string; state: string; nonce: string } | undefined;
    db.prepare('DELETE FROM pending_sign_ins WHERE id = ?').run(pendingId);
    reply.clearCookie(PENDING_COOKIE, { path: '/' });
    const ctx = ctxOf(request);
    const { t } = ctx;
    if (!pending)
      return html(
        reply,
        400,
        page(ctx, t('expired.title'), `<p><a href="/login">${escape(t('expired.again'))}</a></p>`),
      );
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(request.url, url), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
    } catch (error) {
      const reason = (error as { error?: string }).error ?? t('notSignedIn.failed');
      return html(
        reply,
        400,
        page(ctx, t('notSignedIn.title'), `<p>${escape(reason)}</p><p><a href="/">${escape(t('back'))}</a></p>`),
      );
    }
    const claims = tokens.claims();
    if (!claims)
      return html(reply, 400, page(ctx, t('notSignedIn.title'), `<p>${escape(t('notSignedIn.noIdToken'))}</p>`));
    const id = newId();
    db.prepare(
      'INSERT INTO sessions (id, sub, sid, email, name, id_token, refresh_token, hold_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      claims.sub,
      typeof claims.sid === 'string' ? claims.sid : null,
      String(claims.email ?? ''),
      String(claims.name ?? ''),
      String(tokens.id_token),
      tokens.refresh_token ?? null,
      typeof claims[HOLD_CLAIM] === 'number' ? claims[HOLD_CLAIM] : null,
      now().toISOString(),
    );
    // Every customer of this example has a card on file, as a returning customer of a real shop would.
    db.prepare('INSERT INTO saved_cards (sub, display) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
      claims.sub,
      DEMO_CARD,
    );
    reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax' });
    return reply.redirect('/', 303);
  });

  app.post('/orders', async (request, reply) => {
    const session = sessionOf(request);
    if (!session) return reply.redirect('/', 303);
    const ctx = ctxOf(request);
    const { t } = ctx;
    if (!sameOrigin(request))
      return html(reply, 403, page(ctx, t('refused.title'), `<p>${escape(t('refused.body'))}</p>`));
    const body = (request.body ?? {}) as Record<string, unknown>;
    const item = typeof body.item === 'string' ? body.item.trim() : '';
    const address = typeof body.address === 'string' ? body.address.trim() : '';
    const amount = typeof body.amount === 'string' && /^\d{1,8}$/.test(body.amount) ? Number(body.amount) : 0;
    if (!item || !address || item.length > 100 || address.length > 300 || amount < 1 || amount > 10_000_000)
      return html(
        reply,
        400,
        page(ctx, t('check.title'), `<p>${escape(t('check.body'))}</p><p><a href="/">${escape(t('back'))}</a></p>`),
      );
    if (db.prepare('SELECT 1 FROM account_holds WHERE sub = ?').get(session.sub))
      return html(reply, 403, page(ctx, t('accountHeld.title'), `<p>${escape(t('accountHeld.body'))}</p>`));
    const card = db.prepare('SELECT display FROM saved_cards WHERE sub = ?').get(session.sub) as
      { display: string } | undefined;
    db.prepare(
      'INSERT INTO orders (id, sub, item, address, amount, card, sid, ip, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      newId(),
      session.sub,
      item,
      address,
      amount,
      card?.display ?? DEMO_CARD,
      session.sid,
      request.ip,
      request.headers['user-agent'] ?? '',
      now().toISOString(),
    );
    await sendPending();
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    const session = sessionOf(request);
    if (session && !sameOrigin(request)) {
      const ctx = ctxOf(request);
      return html(reply, 403, page(ctx, ctx.t('refused.title'), `<p>${escape(ctx.t('refused.body'))}</p>`));
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    if (!session) return reply.redirect('/', 303);
    db.prepare('DELETE FROM sessions WHERE id = ?').run(session.id);
    const end = oidc.buildEndSessionUrl(config, {
      id_token_hint: session.id_token,
      post_logout_redirect_uri: `${url}/`,
    });
    return reply.redirect(end.href, 303);
  });

  // OpenID Connect Back-Channel Logout 1.0 §2.6: verify, then end the sessions it names; 200, or 400.
  app.post('/backchannel-logout', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = ((request.body ?? {}) as Record<string, unknown>).logout_token;
    if (typeof token !== 'string') return reply.code(400).send({ error: 'invalid_request' });
    try {
      const order = await verify.logoutToken(token);
      const fresh = db
        .prepare('INSERT INTO logout_tokens_seen (jti, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING')
        .run(order.jti, now().toISOString());
      if (fresh.changes === 0) return reply.code(200).send();
      if (order.sid) db.prepare('DELETE FROM sessions WHERE sid = ?').run(order.sid);
      else db.prepare('DELETE FROM sessions WHERE sub = ?').run(order.sub);
      return reply.code(200).send();
    } catch {
      return reply.code(400).send({ error: 'invalid_request' });
    }
  });

  /**
   * Mamori asks, item by item, to undo what the intruder did here (hold the order, forget the card) and
   * then passes on the owner's decision about each held order. The answer is sent back at once (or on the
   * next event, if Mamori is unreachable).
   */
  const undo = (sub: string, request: UndoRequest) => {
    const { answer, note } = carryOutUndoRequest(db, sub, request);
    db.prepare(
      'INSERT INTO undo_answers (request_id, endpoint, answer, note) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(request.request_id, request.answer_endpoint, answer, note);
  };

  // RFC 8935 push: each SET verified against Mamori's keys, each `jti` acted on once; 202, or 400 saying why.
  app.addContentTypeParser('application/secevent+jwt', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_r, body, done) =>
    done(null, body),
  );
  app.post('/security-events', async (request, reply) => {
    const refuse = (err: string, description: string) => reply.code(400).send({ err, description });
    if (typeof request.body !== 'string') return refuse('invalid_request', 'a SET is expected');
    let set: Awaited<ReturnType<typeof verify.securityEvent>>;
    try {
      set = await verify.securityEvent(request.body);
    } catch {
      return refuse('invalid_key', 'the SET did not verify');
    }
    const fresh = db
      .prepare('INSERT INTO security_events_seen (jti, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING')
      .run(set.jti, now().toISOString());
    const sub = set.subject.format === 'iss_sub' ? set.subject.sub : undefined;
    if (fresh.changes > 0 && sub) {
      if (set.type === EVENT_TYPES.accountDisabled) {
        db.prepare('INSERT INTO account_holds (sub, since) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
          sub,
          now().toISOString(),
        );
        db.prepare('DELETE FROM sessions WHERE sub = ?').run(sub);
      } else if (set.type === EVENT_TYPES.accountEnabled)
        db.prepare('DELETE FROM account_holds WHERE sub = ?').run(sub);
      else if (set.type === EVENT_TYPES.sessionRevoked) db.prepare('DELETE FROM sessions WHERE sub = ?').run(sub);
      else if (set.type === undoRequestedEventType(options.issuer)) undo(sub, set.event as unknown as UndoRequest);
    }
    await sendPending();
    return reply.code(202).send();
  });

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  await mamori
    .openPushStream(`${url}/security-events`, shopName)
    .catch((error: unknown) =>
      process.stderr.write(
        `example shop: could not open its security event stream (${error instanceof Error ? error.message : String(error)}); sign-in still works\n`,
      ),
    );
  await sendPending();
  return {
    url,
    async close() {
      await app.close();
      db.close();
    },
  };
}
