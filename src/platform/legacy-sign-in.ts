import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { LegacySignInConfig } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import { normalizeEmail } from '../core/email-address.ts';

/**
 * The live trickle migration's one question to a shop's old system (issue 26; README "Live migration"):
 *
 *   POST MAMORI_LEGACY_SIGN_IN_URL
 *   Content-Type: application/json
 *   Mamori-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed by MAMORI_LEGACY_SIGN_IN_SECRET>
 *   {"email": "hana@example.com", "password": "…", "timestamp": 1767225600, "nonce": "<22 characters>"}
 *
 * The old system checks the signature, refuses a timestamp more than 5 minutes off or a nonce seen
 * before, checks the password its own way and answers 200 with either
 *   {"match": false}
 *   {"match": true, "profile": {"shopCustomerId": "wc-1042", "email": "hana@example.com",
 *     "emailVerified": true, "name": "Hana Sato", "locale": "ja", "createdAt": "2019-04-01T00:00:00Z"}}
 * Anything else (another status, a body that is not this, a profile for another address, no answer
 * within MAMORI_LEGACY_SIGN_IN_TIMEOUT_MS) counts as "no".
 */
export const legacyProfile = z.object({
  shopCustomerId: z.string().min(1).max(200),
  email: z.email().max(254),
  emailVerified: z.boolean().default(false),
  name: z.string().max(200).default(''),
  locale: z.enum(['ja', 'en']).optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
});

export const legacyAnswer = z.discriminatedUnion('match', [
  z.object({ match: z.literal(false) }),
  z.object({ match: z.literal(true), profile: legacyProfile }),
]);

export type LegacyProfile = z.infer<typeof legacyProfile>;

export type LegacyOutcome = 'match' | 'no-match' | 'timeout' | 'error' | 'malformed';

/** What the old system said: a profile on "yes"; on anything else, only why not (for the log). */
export type LegacyVerdict = { outcome: 'match'; profile: LegacyProfile } | { outcome: Exclude<LegacyOutcome, 'match'> };

export type AskLegacySystem = (email: string, password: string) => Promise<LegacyVerdict>;

/** The receiver client's POST (src/delivery/http-post.ts): within the receiver policy, never a redirect. */
export type PostJson = (
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
) => Promise<{ status: number; text: string }>;

export const SIGNATURE_HEADER = 'mamori-signature';

export function legacySignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Never throws: a slow, failing or confused old system is a "no", never an error or a block. */
export function legacySignInClient(config: LegacySignInConfig, post: PostJson, clock: Clock): AskLegacySystem {
  return async (email, password) => {
    const body = JSON.stringify({
      email,
      password,
      timestamp: Math.floor(clock.now().getTime() / 1000),
      nonce: randomBytes(16).toString('base64url'),
    });
    let answer: { status: number; text: string };
    try {
      answer = await post(
        config.url,
        { 'content-type': 'application/json', [SIGNATURE_HEADER]: legacySignature(config.secret, body) },
        body,
        config.timeoutMs,
      );
    } catch (error) {
      return { outcome: error instanceof Error && /no answer within/.test(error.message) ? 'timeout' : 'error' };
    }
    if (answer.status !== 200) return { outcome: 'error' };
    let parsed: z.infer<typeof legacyAnswer>;
    try {
      parsed = legacyAnswer.parse(JSON.parse(answer.text));
    } catch {
      return { outcome: 'malformed' };
    }
    if (!parsed.match) return { outcome: 'no-match' };
    // A profile for another address would make an account its owner never asked for.
    if (normalizeEmail(parsed.profile.email) !== email) return { outcome: 'malformed' };
    return { outcome: 'match', profile: parsed.profile };
  };
}
