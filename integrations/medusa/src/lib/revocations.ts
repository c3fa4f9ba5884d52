import type { IAuthModuleService, MedusaContainer, ProviderIdentityDTO } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { PROVIDER_ID, type MamoriRevocations } from './claims';

const MAX_REVOKED_SIDS = 50;

/** The `mamori` provider identity of one Mamori account (its `sub`), with the auth identity it belongs to. */
export async function identityOfSub(container: MedusaContainer, sub: string): Promise<ProviderIdentityDTO | null> {
  const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
  const [identity] = await auth.listProviderIdentities(
    { entity_id: sub, provider: PROVIDER_ID },
    { relations: ['auth_identity'] },
  );
  return identity ?? null;
}

/** The Medusa customer this Mamori account signed in as, if it has one yet. */
export async function customerIdOfSub(container: MedusaContainer, sub: string): Promise<string | null> {
  const customerId = (await identityOfSub(container, sub))?.auth_identity?.app_metadata?.customer_id;
  return typeof customerId === 'string' ? customerId : null;
}

async function mark(container: MedusaContainer, sub: string, change: (now: MamoriRevocations) => MamoriRevocations) {
  const identity = await identityOfSub(container, sub);
  if (!identity) return false;
  const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
  const current = (identity.provider_metadata ?? {}) as MamoriRevocations;
  await auth.updateProviderIdentities([
    { id: identity.id, provider_metadata: { ...identity.provider_metadata, ...change(current) } },
  ]);
  return true;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Ends Medusa's tokens and sessions of one sign-in (its `sid`), or of every sign-in of the account.
 * Medusa's tokens are stateless JWTs, so they are not deleted but refused from here on (middlewares.ts).
 */
export const endSignIns = (container: MedusaContainer, sub: string, sid?: string) =>
  mark(container, sub, (current) =>
    sid
      ? { revoked_sids: [...(current.revoked_sids ?? []), sid].slice(-MAX_REVOKED_SIDS) }
      : { not_before: nowSeconds() + 1 },
  );

/** Mamori says the account was hijacked (or is back): every sign-in ends, checkout waits until enabled. */
export const setAccountDisabled = (container: MedusaContainer, sub: string, disabled: boolean) =>
  mark(container, sub, () =>
    disabled ? { not_before: nowSeconds() + 1, disabled_since: new Date().toISOString() } : { disabled_since: null },
  );

export interface MedusaAuthContext {
  auth_identity_id?: string;
  auth_provider?: string;
  actor_type?: string;
  iat?: number;
  user_metadata?: Record<string, unknown>;
}

/** Why a customer's token or session no longer counts, or null when it still does. */
export async function refusal(container: MedusaContainer, context: MedusaAuthContext): Promise<string | null> {
  if (context.auth_provider !== PROVIDER_ID || !context.auth_identity_id) return null;
  const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
  const [identity] = await auth.listProviderIdentities({
    auth_identity_id: context.auth_identity_id,
    provider: PROVIDER_ID,
  });
  const marks = (identity?.provider_metadata ?? {}) as MamoriRevocations;
  const sid = context.user_metadata?.sid;
  if (typeof sid === 'string' && marks.revoked_sids?.includes(sid)) return 'This sign-in was ended by Mamori.';
  if (marks.not_before && (context.iat ?? 0) < marks.not_before) return 'This sign-in was ended by Mamori.';
  return null;
}

/** Whether checkout waits for Mamori to say the account is the owner's again. */
export async function accountDisabled(container: MedusaContainer, authIdentityId: string): Promise<boolean> {
  const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
  const [identity] = await auth.listProviderIdentities({ auth_identity_id: authIdentityId, provider: PROVIDER_ID });
  return Boolean((identity?.provider_metadata as MamoriRevocations | undefined)?.disabled_since);
}

/** The sign-in (`sid`) Medusa would put in a token refreshed now: the account's latest at Mamori. */
export async function currentSid(container: MedusaContainer, authIdentityId: string): Promise<string | null> {
  const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
  const [identity] = await auth.listProviderIdentities({ auth_identity_id: authIdentityId, provider: PROVIDER_ID });
  const sid = identity?.user_metadata?.sid;
  return typeof sid === 'string' ? sid : null;
}
