import { InjectClient, pathOf, tokenOf } from '../inject-client.ts';
import { SoftPasskey } from './soft-passkey.ts';
import {
  ATTACKER,
  ATTACKER_BROWSER,
  OWNER_PASSWORD,
  OWNER,
  emailChangedReportLink,
  expectStep,
  ownerReports,
  ownerSignsUp,
  signInWith,
  type StoryWorld,
} from './story.ts';

/**
 * The story again when the owner had a passkey (issue 27): she proves herself with it on the incident
 * page and is back at once, without the wait. Shared by `mamori demo` and the tests.
 */
const codesIn = (body: string) => [...body.matchAll(/<li><code>([A-Z2-7-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');

async function addPasskey(client: InjectClient, key: SoftPasskey, name: string): Promise<string> {
  await client.get('/account/passkeys');
  const options = JSON.parse((await client.post('/account/passkeys/options')).body) as { challenge: string };
  const res = await client.post('/account/passkeys', { credential: JSON.stringify(key.register(options)), name });
  expectStep([200, 303].includes(res.statusCode), `passkey "${name}" registered`);
  return res.body;
}

/** The owner signs up and registers a passkey on her phone; the recovery codes come with it. */
export async function ownerWithPasskey(world: StoryWorld, publicUrl: string) {
  const owner = await ownerSignsUp(world);
  const phone = new SoftPasskey(publicUrl, new URL(publicUrl).hostname);
  const printout = codesIn(await addPasskey(owner, phone, 'Taro phone'));
  expectStep(printout.length === 10, 'the first passkey brings recovery codes');
  await owner.post('/sign-out');
  return { phone, printout };
}

/** The intruder: the stolen password and a code from her printout, then his own address and his own passkey. */
export async function intruderAddsHisPasskey(world: StoryWorld, publicUrl: string, stolenCode: string) {
  const intruder = new InjectClient(world.app, { 'user-agent': ATTACKER_BROWSER });
  expectStep((await signInWith(intruder, OWNER, OWNER_PASSWORD)) === 303, 'the password step passes');
  await intruder.get('/sign-in/two-step');
  expectStep(
    (await intruder.post('/sign-in/two-step', { code: stolenCode })).statusCode === 303,
    'a stolen recovery code passes the second step',
  );
  world.clock.advance(60_000);
  await intruder.get('/account');
  await intruder.post('/account/email', { newEmail: ATTACKER, currentPassword: OWNER_PASSWORD });
  await world.deliver();
  const confirm = world.mailer.link(ATTACKER, '/confirm-email');
  await intruder.get(pathOf(confirm));
  expectStep(
    (await intruder.post('/confirm-email', { token: tokenOf(confirm) })).statusCode === 303,
    'the intruder confirms his address',
  );
  await addPasskey(intruder, new SoftPasskey(publicUrl, new URL(publicUrl).hostname), 'mine now');
  await world.deliver();
}

/**
 * From the notice: contain, prove with her passkey, open the account without a password, add a new
 * passkey: four clicks in a browser (contain, prove, open, add), no wait.
 */
export async function ownerProvesWithPasskey(world: StoryWorld, phone: SoftPasskey, publicUrl: string) {
  const owner = new InjectClient(world.app);
  const { statusPath } = await ownerReports(world, emailChangedReportLink(world), owner);
  const token = tokenOf(`${publicUrl}${statusPath}`);
  await owner.get(statusPath);
  const options = JSON.parse(
    (await owner.post(`/incident/prove/passkey/options?token=${encodeURIComponent(token)}`)).body,
  ) as { challenge: string };
  const proved = await owner.post('/incident/prove/passkey', {
    token,
    credential: JSON.stringify(phone.assert(options)),
  });
  expectStep(proved.statusCode === 303, 'her passkey from before the intrusion proves her');
  const recoverPath = String(proved.headers.location);
  await owner.get(recoverPath);
  const opened = await owner.post('/recover/without-password', { token: tokenOf(`${publicUrl}${recoverPath}`) });
  expectStep(opened.statusCode === 303, 'the account opens without a password');
  await addPasskey(owner, new SoftPasskey(publicUrl, new URL(publicUrl).hostname), 'Taro new phone');
  const account = await owner.get('/account');
  expectStep(/Finish recovering/.test(account.body), 'signed in, with the checklist');
}
