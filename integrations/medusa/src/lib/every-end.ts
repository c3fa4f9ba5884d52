import type { MamoriRevocations } from './claims';

/** The marks after Mamori ended every sign-in of the account at `at` (its clock, seconds), once more. */
export const everyEnded = (current: MamoriRevocations, at: number): Pick<MamoriRevocations, 'ended_all'> => ({
  ended_all: { count: (current.ended_all?.count ?? 0) + 1, at: Math.max(current.ended_all?.at ?? 0, at) },
});

/**
 * Whether Mamori's ending every sign-in reached this one, as its token's user metadata tells it. A
 * sign-in that began after Medusa heard of every end lives; so does one whose person signed in to Mamori
 * in a later second than the latest end (that event came late). A sign-in from before either way is
 * dead, and so is a token that names neither (made before Medusa kept them).
 */
export function endedWithEveryOther(marks: MamoriRevocations, signIn: Record<string, unknown>): boolean {
  const ended = marks.ended_all;
  if (!ended) return false;
  const seen = typeof signIn.ended_all_seen === 'number' ? signIn.ended_all_seen : 0;
  const authenticatedAt = typeof signIn.authenticated_at === 'number' ? signIn.authenticated_at : 0;
  return seen < ended.count && authenticatedAt <= ended.at;
}
