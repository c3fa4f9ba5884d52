import { InjectClient, pathOf, tokenOf, type Injectable } from '../inject-client.ts';

/**
 * The story of seed/STORY.md as steps against a running app, shared by `mamori demo` and the tests.
 * Every step checks that it happened and throws StoryStepFailed otherwise.
 */
export interface StoryWorld {
  /** One app in process, or (in the many-instances test) several behind a proxy. */
  app: Injectable;
  clock: { advance(ms: number): void };
  mailer: { to(address: string): { subject: string; text: string }[]; link(address: string, path: string): string };
  deliver(): Promise<number>;
}

export class StoryStepFailed extends Error {}

export function expectStep(condition: unknown, what: string): asserts condition {
  if (!condition) throw new StoryStepFailed(what);
}

/**
 * The story replays the incident as it happened at a shop without Mamori's risk engine: the attacker's
 * sign-in from a new browser passes and the changes take effect at once. With the defaults the attacker
 * is stopped at a code mailed to the owner (test/integration/risk.test.ts), and the changes are held.
 */
export const STORY_ENV = {
  MAMORI_RISK_CHALLENGE_AT: '101',
  MAMORI_RISK_DENY_AT: '101',
  MAMORI_HOLD_HOURS: '0',
} as const;

export const OWNER = 'taro@example.com';
export const OWNER_PASSWORD = 'violet kettle harbour drum';
export const ATTACKER = 'evil@example.net';
export const ATTACKER_PASSWORD = 'attacker chose this long phrase';
export const ATTACKER_BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36';

export async function signInWith(client: InjectClient, email: string, password: string): Promise<number> {
  await client.get('/sign-in');
  return (await client.post('/sign-in', { email, password })).statusCode;
}

/** The owner registers, confirms the address and signs in from the laptop they always use. */
export async function ownerSignsUp(world: StoryWorld): Promise<InjectClient> {
  const owner = new InjectClient(world.app);
  await owner.get('/register');
  expectStep(
    (await owner.post('/register', { name: 'Taro Yamada', email: OWNER, password: OWNER_PASSWORD })).statusCode === 200,
    'owner registers',
  );
  await world.deliver();
  const verify = world.mailer.link(OWNER, '/verify-email');
  await owner.get(pathOf(verify));
  expectStep(
    (await owner.post('/verify-email', { token: tokenOf(verify) })).statusCode === 303,
    'owner confirms the address',
  );
  expectStep((await signInWith(owner, OWNER, OWNER_PASSWORD)) === 303, 'owner signs in');
  return owner;
}

/** The attacker signs in with the stolen password from a new browser and takes the account over. */
export async function attackerTakesOver(world: StoryWorld): Promise<InjectClient> {
  const attacker = new InjectClient(world.app, { 'user-agent': ATTACKER_BROWSER });
  expectStep((await signInWith(attacker, OWNER, OWNER_PASSWORD)) === 303, 'attacker signs in with the stolen password');
  world.clock.advance(60_000);
  await attacker.get('/account');
  expectStep(
    (await attacker.post('/account/email', { newEmail: ATTACKER, currentPassword: OWNER_PASSWORD })).statusCode === 303,
    'attacker asks to change the email',
  );
  await world.deliver();
  const confirm = world.mailer.link(ATTACKER, '/confirm-email');
  await attacker.get(pathOf(confirm));
  expectStep(
    (await attacker.post('/confirm-email', { token: tokenOf(confirm) })).statusCode === 303,
    'attacker confirms the new email from their own mailbox',
  );
  world.clock.advance(60_000);
  await attacker.get('/account');
  const changed = await attacker.post('/account/password', {
    currentPassword: OWNER_PASSWORD,
    newPassword: ATTACKER_PASSWORD,
    signOutOthers: 'yes',
  });
  expectStep(changed.statusCode === 303, 'attacker changes the password');
  await attacker.get('/account');
  const address = {
    recipient: 'Drop',
    postalCode: '100-0001',
    region: 'Tokyo',
    city: 'Chiyoda',
    line1: '9-9-9',
    country: 'JP',
  };
  expectStep(
    (await attacker.post('/account/addresses', address)).statusCode === 303,
    'attacker adds a shipping address',
  );
  await world.deliver();
  return attacker;
}

/** The "This wasn't me" link in the notice that went to the owner's old address. */
export function emailChangedReportLink(world: StoryWorld): string {
  const notice = world.mailer
    .to(OWNER)
    .find((mail) => /email address of your .* account was changed/.test(mail.subject));
  const link = notice?.text.match(/This wasn't me: (\S+)/)?.[1];
  expectStep(link, 'the old address got the notice with a "This wasn\'t me" link');
  return link;
}

export function checkedUndo(pageBody: string): string[] {
  return [...pageBody.matchAll(/name="undo" value="([^"]+)" checked/g)].map((match) => match[1] ?? '');
}

/** The owner opens the link (GET: only shows) and confirms (POST). Returns the incident page path. */
export async function ownerReports(
  world: StoryWorld,
  link: string,
  client = new InjectClient(world.app),
): Promise<{ statusPath: string; undoCount: number }> {
  const page = await client.get(pathOf(link));
  expectStep(page.statusCode === 200, 'the report page opens without signing in');
  const undo = checkedUndo(page.body);
  const res = await client.post('/report', { token: tokenOf(link), undo });
  expectStep(res.statusCode === 303, 'one click contains the account');
  return { statusPath: String(res.headers.location), undoCount: undo.length };
}

/** After the wait, the owner follows the mailed recovery link, sets a password and signs in. */
export async function ownerRecovers(
  world: StoryWorld,
  newPassword: string,
): Promise<{ client: InjectClient; checklist: string[] }> {
  await world.deliver();
  const recovery = world.mailer.link(OWNER, '/recover');
  const client = new InjectClient(world.app);
  await client.get(pathOf(recovery));
  expectStep(
    (await client.post('/recover', { token: tokenOf(recovery), password: newPassword })).statusCode === 303,
    'owner sets a new password',
  );
  expectStep((await signInWith(client, OWNER, newPassword)) === 303, 'owner signs in again');
  const account = await client.get('/account');
  const checklist = [
    ...account.body.matchAll(/<li><span>([^<]+)<\/span><form method="post" action="\/account\/checklist/g),
  ].map((m) => m[1] ?? '');
  expectStep(checklist.length > 0, 'the account page shows the recovery checklist');
  return { client, checklist };
}
