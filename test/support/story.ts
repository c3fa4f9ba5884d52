import type { TestMamori } from './harness.ts';
import {
  attackerTakesOver as takeOver,
  emailChangedReportLink as reportLink,
  ownerReports,
  ownerSignsUp,
} from '../../src/cli/demo/story.ts';
import assert from 'node:assert/strict';
import { pathOf, TestClient, tokenOf } from './http-client.ts';

import { OWNER } from '../../src/cli/demo/story.ts';

export { ATTACKER, ATTACKER_PASSWORD, checkedUndo, OWNER, STORY_ENV } from '../../src/cli/demo/story.ts';

/** The story up to the notices: the owner's account and known device, then the attacker's takeover three days later. */
export async function attackerTakesOver(m: TestMamori): Promise<{ owner: TestClient; attacker: TestClient }> {
  const owner = await ownerSignsUp(m);
  m.clock.advance(3 * 24 * 3_600_000);
  const attacker = await takeOver(m);
  return { owner, attacker };
}

export const emailChangedReportLink = (m: TestMamori) => reportLink(m);

export async function reportWithDefaults(m: TestMamori, link: string, client?: TestClient): Promise<string> {
  return (await ownerReports(m, link, client)).statusPath;
}

/** Recovery is open and mailed: the owner follows the link from their own mailbox and sets a new password. */
export async function ownerRecovers(
  m: TestMamori,
  password = 'fresh start lantern meadow',
  owner = new TestClient(m.app),
): Promise<TestClient> {
  const recovery = m.mailer.link(OWNER, '/recover');
  await owner.get(pathOf(recovery));
  assert.equal((await owner.post('/recover', { token: tokenOf(recovery), password })).statusCode, 303);
  return owner;
}
