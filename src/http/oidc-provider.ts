import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_AAL1, ACR_AAL2 } from '../core/oidc/authentication-methods.ts';
import { API_SCOPES, apiScopesFor } from '../core/oidc/api-scopes.ts';
import { CLAIMS_BY_SCOPE } from '../core/oidc/claims.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { browserSessionOnce, providerSessionStands, usableAccountClaims } from '../services/oidc/accounts.ts';
import { oidcAdapterFactory, providerCommit } from '../services/oidc/adapter.ts';
import { findClientsByRow } from '../services/oidc/clients.ts';
import { queueProviderLogout } from '../services/oidc/shop-logout.ts';
import { linkAtSessionSave } from '../services/oidc/session-link-at-save.ts';
import { publishedSigningKeys, SIGNING_ALG } from '../services/oidc/signing-keys.ts';
import { endSessionOf } from '../services/sessions/sessions.ts';
import { asLocale } from '../views/i18n/translate.ts';
import { allowFormToward } from './page-policy.ts';
import { shopErrorPage, shopLogoutDonePage, shopLogoutPage } from '../views/pages/shop-pages.ts';
import { LANGUAGE_COOKIE } from './language-switch.ts';
import { throttleClientAuthentication } from './oidc-client-auth-throttle.ts';
import { CookieKeys } from './cookie-keys.ts';
import { bareContext, sessionCookieName } from './request-context.ts';

/** Every provider endpoint lives under this prefix; discovery stays at the issuer's root. */
export const OIDC_PREFIX = '/oidc';

/** Where the provider sends the browser for an interaction (sign-in, consent), and where Mamori answers it. */
export const interactionPath = (uid: string): string => `/interaction/${uid}`;

/** Mamori's own API as an OAuth resource: access tokens for it are JWTs (RFC 9068). */
export { API_SCOPES };
export const apiResource = (publicUrl: string) => `${publicUrl}/api`;

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function localeOf(ctx: KoaContextWithOIDC, fallback: 'ja' | 'en'): 'ja' | 'en' {
  const chosen = ctx.cookies.get(LANGUAGE_COOKIE, { signed: false });
  if (chosen) return asLocale(chosen, fallback);
  const header = String(ctx.get('accept-language')).toLowerCase();
  if (header.startsWith('ja')) return 'ja';
  if (header.startsWith('en')) return 'en';
  return fallback;
}

/**
 * Mamori as the shops' OpenID Provider (DESIGN 2 F, STANDARDS L): authorization code with PKCE S256 for
 * every client, exact redirect URIs, `iss` in the authorization response, rotated refresh tokens (a
 * reused one revokes its grant), revocation, introspection, back-channel and RP-initiated logout. The
 * sign-in itself is Mamori's (see oidc-routes.ts); the provider's session stands only on a live Mamori
 * session of the same account.
 */
export async function buildProvider(deps: ServiceDeps): Promise<Provider> {
  const { config } = deps;
  const sessionCookie = sessionCookieName(config);
  const resource = apiResource(config.publicUrl);
  const page = (ctx: KoaContextWithOIDC, body: (pageCtx: ReturnType<typeof bareContext>) => string) => {
    ctx.type = 'html';
    ctx.set('cache-control', 'no-store');
    ctx.body = body(bareContext(config, localeOf(ctx, config.defaultLocale), deps.clock.now()));
  };

  // The provider's writes and its client-authentication counts, from concurrent requests, share commits.
  const commit = providerCommit(deps);
  const policy = interactionPolicy.base();
  const browserSession = browserSessionOnce(deps);
  const browserSessionOf = (ctx: KoaContextWithOIDC) =>
    browserSession(ctx, ctx.cookies.get(sessionCookie, { signed: false }));
  policy.get('login')?.checks.add(
    new interactionPolicy.Check('mamori_session', 'End-User is not signed in to Mamori', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const link = accountId
        ? providerSessionStands(deps, { uid: ctx.oidc.session?.uid ?? '', accountId }, await browserSessionOf(ctx))
        : null;
      if (!link) return interactionPolicy.Check.REQUEST_PROMPT;
      linkAtSessionSave(ctx, link);
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );

  const claimsNow = async (sub: string, clientId: string | undefined) => {
    const claims = await usableAccountClaims(deps, sub, clientId);
    if (!claims) throw new errors.AccessDenied('the account cannot sign in');
    return { ...claims, sub };
  };

  const clientAuth = throttleClientAuthentication(deps, commit);
  const configuration: Configuration = {
    adapter: oidcAdapterFactory(deps, commit, clientAuth.findClientRow),
    jwks: { keys: await publishedSigningKeys(deps) },
    cookies: {
      keys: new CookieKeys(deps.secrets.derivedKeys('oidc-provider-cookies')),
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
    },
    routes: {
      authorization: `${OIDC_PREFIX}/auth`,
      token: `${OIDC_PREFIX}/token`,
      userinfo: `${OIDC_PREFIX}/me`,
      jwks: `${OIDC_PREFIX}/jwks`,
      revocation: `${OIDC_PREFIX}/token/revocation`,
      introspection: `${OIDC_PREFIX}/token/introspection`,
      end_session: `${OIDC_PREFIX}/session/end`,
      pushed_authorization_request: `${OIDC_PREFIX}/request`,
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile', ...API_SCOPES],
    claims: {
      openid: [...CLAIMS_BY_SCOPE.openid],
      email: [...CLAIMS_BY_SCOPE.email],
      profile: [...CLAIMS_BY_SCOPE.profile],
    },
    // The shop shows who signed in from the ID token alone (issue 14), so the ID token carries the scopes' claims.
    conformIdTokenClaims: false,
    acrValues: [ACR_AAL1, ACR_AAL2],
    subjectTypes: ['public'],
    enabledJWA: {
      idTokenSigningAlgValues: [SIGNING_ALG],
      userinfoSigningAlgValues: [SIGNING_ALG],
      introspectionSigningAlgValues: [SIGNING_ALG],
      authorizationSigningAlgValues: [SIGNING_ALG],
    },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientBasedCORS: () => false,
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: MINUTE,
      IdToken: HOUR,
      Interaction: HOUR,
      RefreshToken: 14 * DAY,
      Session: 14 * DAY,
      Grant: 14 * DAY,
      // A shop's own token for Mamori's API; its JWT access tokens say their own lifetime (10 minutes).
      ClientCredentials: 10 * MINUTE,
    },
    features: {
      devInteractions: { enabled: false },
      // A shop's backend calls Mamori's API (its Shared Signals stream) as itself, not as a customer.
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx) => {
          // Checked by the provider against the client's registered addresses before this page is asked for.
          allowFormToward(ctx.res, ctx.oidc.params?.post_logout_redirect_uri);
          page(ctx, (pageCtx) =>
            shopLogoutPage(pageCtx, {
              action: ctx.oidc.urlFor('end_session_confirm'),
              xsrf: String(ctx.oidc.session?.state?.secret ?? ''),
            }),
          );
        },
        postLogoutSuccessSource: async (ctx) => page(ctx, shopLogoutDonePage),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        // The scopes the API accepts depend on how the token is asked for: shop-management scopes only by
        // client credentials. The provider drops the others from a sign-in's request, its consent and
        // every token of its grant (refresh included), so no customer's token ever carries them.
        getResourceServerInfo: (ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          const grantType = ctx.oidc.route === 'token' ? ctx.oidc.params?.grant_type : undefined;
          return {
            scope: apiScopesFor(typeof grantType === 'string' ? grantType : undefined).join(' '),
            audience: resource,
            accessTokenTTL: 10 * MINUTE,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
    findAccount: async (ctx, sub) => {
      const clientId = ctx.oidc?.client?.clientId;
      // At the authorization endpoint the login check reads the browser's Mamori session, its account's
      // status in the same statement (a contained account has none): the account of that live session needs
      // no read of its own. A code is issued here, no ID token, so its claims are read only if asked for.
      const route = ctx.oidc?.route;
      if (route === 'authorization' || route === 'resume') {
        const session = await browserSessionOf(ctx);
        if (session?.accountId === sub) return { accountId: sub, claims: async () => claimsNow(sub, clientId) };
      }
      const claims = await usableAccountClaims(deps, sub, clientId);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => interactionPath(interaction.uid),
    },
    renderError: async (ctx, out) => {
      page(ctx, (pageCtx) =>
        shopErrorPage(
          pageCtx,
          out.error === 'invalid_request' && /session|expired|cookie/i.test(String(out.error_description ?? ''))
            ? pageCtx.t('shop.error.expired')
            : pageCtx.t('shop.error.generic', { error: String(out.error) }),
        ),
      );
    },
  };

  const provider = new Provider(config.publicUrl, configuration);
  // The mount sets the forwarded host and protocol to the issuer's (oidc-routes.ts), so they can be trusted.
  provider.proxy = true;

  clientAuth.install(provider);
  findClientsByRow(provider, deps, clientAuth.findClientRow);

  // Every logout token goes through the outbox, retried like mail, never sent inline by the provider.
  provider.Client.prototype.backchannelLogout = async function backchannelLogout(sub: string, sid: string) {
    await queueProviderLogout(deps, { clientId: this.clientId, sub, sid });
  };

  // A path or method the provider does not serve gets an OAuth error body like any other refusal. Placed
  // after the provider's router (provider.use would wrap every request), so only what it passes on
  // (nothing matched) comes here.
  provider.middleware.push((ctx) => {
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    ctx.status = 404;
    ctx.body = { error: 'invalid_request', error_description: `${ctx.method} ${ctx.path} is not an endpoint here` };
  });

  // The provider answers its own errors; the ones it did not expect are ours to see (never the caller's).
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    deps.log.error({ err: error, path: ctx.path, method: ctx.method }, 'oidc_server_error');
  });

  // "Sign out" at a shop, confirmed here, also ends the Mamori session that browser rides on.
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    if (!ctx.oidc.params?.logout) return;
    const token = ctx.cookies.get(sessionCookie, { signed: false });
    ctx.cookies.set(sessionCookie, null, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
    deps.afterAnswer.run(() => endSessionOf(deps, token));
  });
  return provider;
}
