import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import { splitOpenIdScopes } from '../../core/oidc/api-scopes.ts';
import { assuranceLevel } from '../../core/oidc/authentication-methods.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { findClient } from '../../services/oidc/clients.ts';
import { shopOfClient } from '../../services/oidc/interaction-shop.ts';
import type { ActiveSession } from '../../services/sessions/sessions.ts';
import { heldForPasswordUpgrade } from '../../core/password-upgrade.ts';
import type { AfterSignIn } from './auth-routes.ts';
import { consentPage, continuePage, shopErrorPage } from '../../views/pages/shop-pages.ts';
import { signInPage } from '../../views/pages/public-pages.ts';
import { parseForm } from '../form-input.ts';
import { interactionPath, OIDC_PREFIX } from '../oidc-provider.ts';
import { issuerFixedHeaders } from '../provider-fast-path.ts';
import { pageContext, sendHtml } from '../request-context.ts';
import { allowShopLogo } from '../page-policy.ts';
import { LANGUAGE_COOKIE, languageAsked, setLanguageCookie } from '../language-switch.ts';
import { pageLanguageOf } from '../../core/oidc/ui-locales.ts';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;
type Grant = InstanceType<Provider['Grant']>;

/** Where the sign-in form of a shop's interaction posts: under the interaction, so its cookie comes along. */
export const SHOP_SIGN_IN_PATH = '/interaction/:uid/sign-in';

const consentForm = z.object({ decision: z.enum(['allow', 'deny']) });
/** The scopes the store's own shop is granted with its sign-in (the rest wait for the consent step). */
const PLAIN_OPENID_SCOPES = new Set(['openid', 'email', 'profile']);

/**
 * The provider mounted in Fastify, and its interaction: Mamori's own sign-in (password with the risk
 * engine, second step, passkeys, mailed code), then consent for shops that are not the store's own.
 */
export function oidcRoutes(deps: ServiceDeps, provider: Provider) {
  const { config } = deps;
  const callback = provider.callback();
  const canonical = new URL(config.publicUrl);

  /** The provider answers on the raw request; Fastify steps aside (no body parsing, no reply of its own). */
  async function providerEndpoints(oidc: FastifyInstance) {
    oidc.removeAllContentTypeParsers();
    oidc.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // The machine and authorization endpoints usually come straight from the server (provider-fast-path.ts), the same way.
    const pass = (request: FastifyRequest, reply: FastifyReply) => {
      issuerFixedHeaders(request.raw, canonical, request.ip);
      reply.hijack();
      void callback(request.raw, reply.raw);
    };
    oidc.all(`${OIDC_PREFIX}/*`, pass);
    oidc.all('/.well-known/openid-configuration', pass);
  }

  const expired = (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(request, reply, config);
    return sendHtml(reply, 400, shopErrorPage(ctx, ctx.t('shop.error.expired')));
  };

  /** The interaction the browser's cookie names, or null when it has expired, was used, or is someone else's. */
  async function interactionOf(request: FastifyRequest, reply: FastifyReply): Promise<Interaction | null> {
    const uid = (request.params as { uid?: string }).uid;
    try {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      return details.uid === uid ? details : null;
    } catch (error) {
      if (error instanceof errors.OIDCProviderError) return null;
      throw error;
    }
  }

  /**
   * Records the result and moves the browser on with a page of its own rather than a redirect: a chain
   * of redirects started by a form (sign-in, consent) may not end at the shop under the CSP's
   * `form-action 'self'`, while a refresh from a page is a navigation of its own.
   */
  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    details: Interaction,
    result: InteractionResults,
    merge: boolean,
    grant?: Grant,
  ): Promise<FastifyReply> {
    // What the provider's interactionResult does, on the interaction this request already read (it would
    // read it again by the browser's cookie, which named this very one).
    details.result = merge && !('error' in result) ? { ...details.lastSubmission, ...result } : result;
    // A grant the result names is written with it: both in one commit of the provider's group commit.
    await Promise.all([grant?.save(), details.save(details.exp - Math.floor(Date.now() / 1000))]);
    return sendHtml(reply, 200, continuePage(pageContext(request, reply, config), details.returnTo));
  }

  /**
   * What the shop asked for and was not yet granted, as "Allow" grants it: OpenID scopes and claims,
   * and Mamori's API scopes on the API resource only. The provider already keeps the shop-management
   * scopes off the resource for a sign-in (oidc-provider.ts); an API scope asked as a plain OpenID scope
   * is refused here, so no token of the grant carries it (issue 24 §5).
   */
  function askedOf(details: Interaction) {
    const asked = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const { granted, refused } = splitOpenIdScopes(asked.missingOIDCScope ?? []);
    const resourceScopes = Object.entries(asked.missingResourceScopes ?? {});
    return {
      openIdScopes: granted,
      refusedScopes: refused,
      claims: asked.missingOIDCClaims ?? [],
      resourceScopes,
      /** Everything granted, for the consent page: nothing is granted that the page did not show. */
      shown: [...granted, ...resourceScopes.flatMap(([, scopes]) => scopes)],
    };
  }

  async function grantAsked(details: Interaction, accountId: string): Promise<string> {
    const clientId = String(details.params.client_id);
    const grant =
      (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const asked = askedOf(details);
    if (asked.openIdScopes.length) grant.addOIDCScope(asked.openIdScopes.join(' '));
    // Refused rather than left out: the provider then counts them as answered and asks no consent again.
    if (asked.refusedScopes.length) grant.rejectOIDCScope(asked.refusedScopes.join(' '));
    if (asked.claims.length) grant.addOIDCClaims(asked.claims);
    for (const [indicator, scopes] of asked.resourceScopes) grant.addResourceScope(indicator, scopes.join(' '));
    return grant.save();
  }

  /**
   * The store's own shop asks no consent, so its grant can go with the sign-in: one interaction instead of
   * two (issue 29). Only the plain case: the OpenID scopes every shop may ask for, granted as its consent
   * step would grant them, Mamori's API scopes refused as there. A resource, a claims request, prompt=consent
   * or any other scope is left to the consent step: the provider checks the grant again when it resumes
   * and asks for consent for whatever it does not cover.
   */
  async function firstPartyGrantAtSignIn(details: Interaction, accountId: string) {
    const { params } = details;
    if (params.resource !== undefined || params.claims !== undefined) return undefined;
    if (
      String(params.prompt ?? '')
        .split(' ')
        .includes('consent')
    )
      return undefined;
    const asked = String(params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const { granted, refused } = splitOpenIdScopes(asked);
    if (!granted.every((scope) => PLAIN_OPENID_SCOPES.has(scope))) return undefined;
    const client = await findClient(deps, String(params.client_id));
    if (!client?.firstParty) return undefined;
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    if (granted.length) grant.addOIDCScope(granted.join(' '));
    if (refused.length) grant.rejectOIDCScope(refused.join(' '));
    // Named now rather than when saved, so it is saved beside the result that names it (finish).
    grant.jti = deps.random.token();
    return grant;
  }

  /** The customer allowed what the shop asked (or a first-party shop needs no asking): granted, then on. */
  async function finishConsent(request: FastifyRequest, reply: FastifyReply, details: Interaction, accountId: string) {
    return finish(request, reply, details, { consent: { grantId: await grantAsked(details, accountId) } }, true);
  }

  /** The sign-in must be recent enough for what the shop asked (`max_age`, or `prompt=login`). */
  function needsFreshSignIn(details: Interaction, session: ActiveSession, now: Date): boolean {
    const maxAge = Number(details.params.max_age);
    if (Number.isFinite(maxAge) && now.getTime() - session.authenticatedAt.getTime() > maxAge * 1000) return true;
    const askedAt = (details.iat ?? 0) * 1000;
    return details.prompt.reasons.includes('login_prompt') && session.authenticatedAt.getTime() < askedAt;
  }

  /** The browser's session answers the provider's login prompt (and a first-party shop's consent with it). */
  async function finishLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    details: Interaction,
    session: ActiveSession,
  ) {
    const grant = await firstPartyGrantAtSignIn(details, session.accountId);
    const login = {
      accountId: session.accountId,
      acr: assuranceLevel(session.amr),
      amr: session.amr,
      ts: Math.floor(session.authenticatedAt.getTime() / 1000),
      remember: true,
    };
    const consent = grant ? { consent: { grantId: grant.jti } } : {};
    return finish(request, reply, details, { login, ...consent }, false, grant);
  }

  /**
   * After the sign-in form posted to the interaction (SHOP_SIGN_IN_PATH): the provider's login prompt is
   * answered in the same request, not by one more round trip through GET /interaction. Whatever that GET
   * would stop at (a password upgrade waiting, a stale sign-in for the shop's max_age, a consent step)
   * still stops it: then it goes there. The session is the one this sign-in started, with its account as
   * the sign-in read it, not read back: the provider's login check reads it again at the resume, before
   * any code is issued (oidc-provider.ts).
   */
  const afterShopSignIn: AfterSignIn = async (request, reply, session, returnTo) => {
    const details = await interactionOf(request, reply);
    const here = details ? interactionPath(details.uid) : undefined;
    if (
      !details ||
      returnTo !== here ||
      details.prompt.name !== 'login' ||
      heldForPasswordUpgrade(session.account?.passwordUpgrade ?? null, 'GET', here) ||
      needsFreshSignIn(details, session, request.now)
    )
      return reply.redirect(returnTo, 303);
    return finishLogin(request, reply, details, session);
  };

  /**
   * The sign-in form, answered at the interaction's own address rather than through a redirect to
   * /sign-in: one request fewer for every shopper. It posts back under this address (the interaction's
   * cookie goes with it), where the sign-in finishes the interaction too. The shop's
   * `ui_locales` chooses its language, unless the browser already chose one (kept, as `?lang=` would be).
   */
  async function signInHere(request: FastifyRequest, reply: FastifyReply, details: Interaction) {
    const language = pageLanguageOf(details.params.ui_locales);
    if (language && !request.cookies[LANGUAGE_COOKIE] && !languageAsked(request)) {
      request.locale = language;
      setLanguageCookie(reply, config, language);
    }
    const shop = shopOfClient(await findClient(deps, String(details.params.client_id)));
    allowShopLogo(reply, shop);
    const here = interactionPath(details.uid);
    const page = signInPage(pageContext(request, reply, config), { values: { returnTo: here } }, undefined, shop, {
      action: `${here}/sign-in`,
    });
    return sendHtml(reply, 200, page);
  }

  const plugin = async function oidcRoutesPlugin(app: FastifyInstance) {
    await app.register(providerEndpoints);

    app.get('/interaction/:uid', async (request, reply) => {
      const details = await interactionOf(request, reply);
      if (!details) return expired(request, reply);
      const here = interactionPath(details.uid);
      const session = request.session;
      if (!session) return signInHere(request, reply, details);
      if (details.prompt.name === 'login') {
        if (needsFreshSignIn(details, session, request.now))
          return reply.redirect(`/reauth?returnTo=${encodeURIComponent(here)}`, 303);
        return finishLogin(request, reply, details, session);
      }
      if (details.session?.accountId !== session.accountId) {
        const ctx = pageContext(request, reply, config);
        return sendHtml(reply, 403, shopErrorPage(ctx, ctx.t('shop.error.otherAccount')));
      }
      const client = await findClient(deps, String(details.params.client_id));
      if (!client) return expired(request, reply);
      if (client.firstParty) return finishConsent(request, reply, details, session.accountId);
      allowShopLogo(reply, client);
      return sendHtml(
        reply,
        200,
        consentPage(pageContext(request, reply, config), {
          uid: details.uid,
          shop: client,
          scopes: askedOf(details).shown,
          email: session.account?.email ?? '',
        }),
      );
    });

    app.post('/interaction/:uid/consent', async (request, reply) => {
      const details = await interactionOf(request, reply);
      if (!details || details.prompt.name !== 'consent') return expired(request, reply);
      const session = request.session;
      if (!session || details.session?.accountId !== session.accountId) {
        const ctx = pageContext(request, reply, config);
        return sendHtml(reply, 403, shopErrorPage(ctx, ctx.t('shop.error.otherAccount')));
      }
      const { decision } = parseForm(consentForm, request.body);
      if (decision === 'deny')
        return finish(
          request,
          reply,
          details,
          { error: 'access_denied', error_description: 'The customer did not allow the shop to sign in.' },
          false,
        );
      return finishConsent(request, reply, details, session.accountId);
    });
  };
  return { plugin, shopSignIn: { path: SHOP_SIGN_IN_PATH, afterSignIn: afterShopSignIn } };
}
