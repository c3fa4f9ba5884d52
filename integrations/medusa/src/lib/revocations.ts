import type {
  IAuthModuleService,
  ILockingModule,
  MedusaContainer,
  ProviderIdentityDTO,
} from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { PROVIDER_ID, type MamoriRevocations } from './claims';
import { endedWithEveryOther, everyEnded } from './every-end';

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

/**
 * Changes one account's marks. A logout token and a security event about the same account often arrive
 * together: each change reads and writes the whole of the identity's metadata, so they take turns under
 * Medusa's locking module (in memory by default; a store running several instances configures a shared
 * locking provider, as Medusa's own cart locking wants), or one would undo the other.
 */
async function mark(container: MedusaContainer, sub: string, change: (now: MamoriRevocations) => MamoriRevocations) {
  return container.resolve<ILockingModule>(Modules.LOCKING).execute(`mamori:marks:${sub}`, async () => {
    const identity = await identityOfSub(container, sub);
    if (!identity) return false;
    const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
    const current = (identity.provider_metadata ?? {}) as MamoriRevocations;
    await auth.updateProviderIdentities([
      { id: identity.id, provider_metadata: { ...identity.provider_metadata, ...change(current) } },
    ]);
    return true;
  });
}

/**
 * Ends Medusa's tokens and sessions of one sign-in (its `sid`). Medusa's tokens are stateless JWTs, so
 * they are not deleted but refused from here on (middlewares.ts).
 */
export const endSignIn = (container: MedusaContainer, sub: string, sid: string) =>
  mark(container, sub, (current) => ({
    revoked_sids: [...(current.revoked_sids ?? []), sid].slice(-MAX_REVOKED_SIDS),
  }));

/**
 * Mamori ended every sign-in of the account at `at` (its clock, seconds): each one that began before
 * Medusa heard so is refused from here on, unless its person signed in to Mamori after `at` (an event
 * that came late, polled after the owner had signed in again). No wall-clock cutoff: a sign-in in the
 * same second as the event, after Medusa heard of it, lives.
 */
export const endEverySignIn = (container: MedusaContainer, sub: string, at: number) =>
  mark(container, sub, (current) => everyEnded(current, at));

/** Mamori says the account was hijacked at `at`: every sign-in ends, checkout waits until it is enabled. */
export const disableAccount = (container: MedusaContainer, sub: string, at: number) =>
  mark(container, sub, (current) => ({ ...everyEnded(current, at), disabled_since: new Date().toISOString() }));

/** Mamori says the account is its owner's again: checkout is open. */
export const enableAccount = (container: MedusaContainer, sub: string) =>
  mark(container, sub, () => ({ disabled_since: null }));

export interface MedusaAuthContext {
  auth_identity_id?: string;
  auth_provider?: string;
  actor_type?: string;
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
  if (endedWithEveryOther(marks, context.user_metadata ?? {})) return 'This sign-in was ended by Mamori.';
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
