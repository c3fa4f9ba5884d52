import type { TestMamori } from './harness.ts';
import {
  attackerTakesOver as takeOver,
  emailChangedReportLink as reportLink,
  ownerReports,
  ownerSignsUp,
} from '../../src/cli/demo/story.ts';
import type { TestClient } from './http-client.ts';

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
