import { DomainError } from '../../core/errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { customerOfShop } from '../oidc/shop-customers.ts';
import { addStreamSubject, removeStreamSubject } from '../../store/ssf-streams.ts';
import { streamOf } from './streams.ts';

export interface SubjectRequest {
  stream_id: string;
  subject: { format: 'iss_sub'; iss: string; sub: string };
}

/**
 * SSF 1.0 §8.1.3.2–3: a receiver puts an account into its stream or takes it out. The same rule as the
 * events (issue 24): a partner shop names only an account that signed in to it, and any other is as
 * unknown as one that does not exist (404 either way, so the endpoint tells nothing about who has an
 * account here). Adding only undoes a removal: a partner's customers are its subjects from their first
 * sign-in, a first-party shop's every account.
 */
export async function changeStreamSubject(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>,
  clientId: string,
  request: SubjectRequest,
  change: 'add' | 'remove',
): Promise<void> {
  const stream = await streamOf(deps, clientId, request.stream_id);
  if (request.subject.iss !== deps.config.publicUrl)
    throw new DomainError('INVALID_INPUT', { reason: `subject.iss must be this issuer, ${deps.config.publicUrl}` });
  const { account } = await customerOfShop(deps.db, clientId, request.subject.sub);
  if (change === 'add') await addStreamSubject(deps.db, stream.id, account.id);
  else await removeStreamSubject(deps.db, stream.id, account.id, deps.clock.now().toISOString());
}
