import Provider from 'oidc-provider';
import type { OidcSessionLink } from '../../store/oidc-session-links.ts';

/** The request the provider is answering (its AsyncLocalStorage), where its adapters run; not in its types. */
const currentRequest = (): object | undefined => (Provider as unknown as { ctx?: object }).ctx;

const pending = new WeakMap<object, OidcSessionLink>();

/**
 * The provider's login check found its session riding on a Mamori session: the link is written in the
 * commit that saves that provider session, not in one of its own. The provider saves its session at the
 * end of every request whose login check passed (signed in now, or loaded from its cookie, both save),
 * before it answers: the link is durable before any code of the request leaves, and a failed save fails
 * the request.
 */
export function linkAtSessionSave(request: object, link: OidcSessionLink): void {
  pending.set(request, link);
}

/** The link to write with provider session `uid`, saved now, if this request's login check found one. */
export function linkOfSessionSave(uid: unknown): OidcSessionLink | undefined {
  const request = currentRequest();
  const link = request ? pending.get(request) : undefined;
  if (!request || !link || link.oidcSessionUid !== uid) return undefined;
  pending.delete(request);
  return link;
}
