import type {
  AuthenticationInput,
  AuthenticationResponse,
  AuthIdentityDTO,
  AuthIdentityProviderService,
  Logger,
} from '@medusajs/framework/types';
import { AbstractAuthModuleProvider, MedusaError } from '@medusajs/framework/utils';
import type * as Oidc from 'openid-client' with { 'resolution-mode': 'import' };
import { PROVIDER_ID, SHOP_CUSTOMER_ID_CLAIM, type MamoriRevocations, type MamoriUserMetadata } from '../../lib/claims';

export interface MamoriAuthOptions {
  /** Mamori's issuer (its MAMORI_PUBLIC_URL). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The storefront page Mamori sends the customer back to; registered as the client's redirect URI. */
  callbackUrl: string;
  scope?: string;
}

const STATE_TTL_SECONDS = 600;

/** openid-client is an ES module; Medusa loads this provider as CommonJS, so it is imported when first needed. */
const openidClient = () => import('openid-client');

/**
 * Medusa's `customer` actor signs in with Mamori: authorization code with PKCE against Mamori's
 * discovery, the ID token checked by openid-client (signature, issuer, audience, nonce, expiry). The
 * auth identity is keyed by Mamori's `sub`, so a changed email never makes a second customer; the
 * latest sign-in's email, name and `sid` are kept on it (the `sid` travels in Medusa's token).
 */
export class MamoriAuthProvider extends AbstractAuthModuleProvider {
  static identifier = PROVIDER_ID;
  static DISPLAY_NAME = 'Mamori';

  protected readonly options_: MamoriAuthOptions;
  protected readonly logger_: Logger;
  private configuration: Promise<Oidc.Configuration> | null = null;

  static validateOptions(options: Record<string, unknown>): void {
    for (const key of ['issuer', 'clientId', 'clientSecret', 'callbackUrl'])
      if (typeof options[key] !== 'string' || !options[key])
        throw new Error(`mamori auth provider: ${key} is required`);
  }

  constructor(container: { logger: Logger }, options: MamoriAuthOptions) {
    super();
    this.options_ = options;
    this.logger_ = container.logger;
  }

  private config(): Promise<Oidc.Configuration> {
    this.configuration ??= openidClient()
      .then((oidc) =>
        oidc.discovery(new URL(this.options_.issuer), this.options_.clientId, this.options_.clientSecret, undefined, {
          execute: this.options_.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
        }),
      )
      .catch((error: unknown) => {
        this.configuration = null;
        throw error;
      });
    return this.configuration;
  }

  async register(): Promise<AuthenticationResponse> {
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, 'Customers sign up through Mamori: use authenticate.');
  }

  async authenticate(
    _data: AuthenticationInput,
    identities: AuthIdentityProviderService,
  ): Promise<AuthenticationResponse> {
    const oidc = await openidClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await identities.setState(state, { verifier, nonce }, STATE_TTL_SECONDS);
    const location = oidc.buildAuthorizationUrl(await this.config(), {
      redirect_uri: this.options_.callbackUrl,
      scope: this.options_.scope ?? 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { success: true, location: location.href };
  }

  async validateCallback(
    data: AuthenticationInput,
    identities: AuthIdentityProviderService,
  ): Promise<AuthenticationResponse> {
    const query = { ...(data.body ?? {}), ...(data.query ?? {}) };
    if (query.error) return { success: false, error: `Mamori said ${String(query.error)}` };
    const state = typeof query.state === 'string' ? query.state : '';
    const pending = state ? await identities.getState(state) : null;
    if (!pending || typeof pending.verifier !== 'string' || typeof pending.nonce !== 'string')
      return { success: false, error: 'This sign-in expired or was already used; start again.' };
    const returned = new URL(this.options_.callbackUrl);
    for (const key of ['code', 'state', 'iss'])
      if (typeof query[key] === 'string') returned.searchParams.set(key, query[key]);
    let claims: Oidc.IDToken | undefined;
    try {
      const oidc = await openidClient();
      const tokens = await oidc.authorizationCodeGrant(await this.config(), returned, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
      });
      claims = tokens.claims();
    } catch (error) {
      this.logger_.warn(`mamori: the code exchange failed (${error instanceof Error ? error.message : 'unknown'})`);
      return { success: false, error: 'Mamori did not confirm this sign-in.' };
    }
    if (!claims) return { success: false, error: 'Mamori sent no ID token.' };
    return { success: true, authIdentity: await this.keep(identities, claims) };
  }

  /**
   * Creates the auth identity of this `sub`, or brings its email, name and sign-in up to date. The
   * sign-in notes how often Mamori had ended every sign-in of the account so far (revocations.ts).
   */
  private async keep(identities: AuthIdentityProviderService, claims: Oidc.IDToken): Promise<AuthIdentityDTO> {
    const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
    const signIn = (endedAllSeen: number): MamoriUserMetadata & Record<string, unknown> => ({
      email: text(claims.email),
      name: text(claims.name),
      sid: text(claims.sid),
      shop_customer_id: text(claims[SHOP_CUSTOMER_ID_CLAIM]),
      authenticated_at: typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat,
      ended_all_seen: endedAllSeen,
    });
    let known: AuthIdentityDTO;
    try {
      known = await identities.retrieve({ entity_id: claims.sub });
    } catch (error) {
      if ((error as { type?: string }).type !== MedusaError.Types.NOT_FOUND) throw error;
      return identities.create({ entity_id: claims.sub, user_metadata: signIn(0), provider_metadata: {} });
    }
    const marks = known.provider_identities?.find((identity) => identity.provider === PROVIDER_ID)?.provider_metadata;
    const seen = (marks as MamoriRevocations | undefined)?.ended_all?.count ?? 0;
    return identities.update(claims.sub, { user_metadata: signIn(seen) });
  }
}
