import type { FakeClock } from '../../runtime/clock.ts';
import { InjectClient } from '../inject-client.ts';
import {
  attackerTakesOver,
  emailChangedReportLink,
  expectStep,
  OWNER,
  ATTACKER,
  ATTACKER_PASSWORD,
  ownerRecovers,
  ownerReports,
  ownerSignsUp,
  signInWith,
  StoryStepFailed,
} from './story.ts';
import { startDemoWorld, type DemoWorld } from './world.ts';
import { intruderAddsHisPasskey, ownerProvesWithPasskey, ownerWithPasskey } from './passkey-story.ts';

const START = '2026-01-05T05:46:00.000Z';

function elapsed(clock: FakeClock): string {
  const ms = clock.now().getTime() - Date.parse(START);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return `T+${String(h).padStart(3, ' ')}h ${String(m).padStart(2, '0')}m`;
}

/**
 * `mamori demo`: the story of seed/STORY.md against a throw-away in-memory store, with a fake clock
 * and mail kept in memory. Prints the timeline; returns 0 only if every step happened.
 */
export async function runDemo(write: (line: string) => void): Promise<number> {
  const code = await runStory(write);
  return code === 0 ? runPasskeyStory(write) : code;
}

type Story = (world: DemoWorld, step: (text: string) => void, write: (line: string) => void) => Promise<void>;

/** Runs one story on a Mamori of its own: 0 when every step happened, 1 (naming the step) otherwise. */
async function tell(write: (line: string) => void, story: Story): Promise<number> {
  const world = await startDemoWorld({ start: START });
  try {
    await story(world, (text) => write(`${elapsed(world.clock)}  ${text}`), write);
    return 0;
  } catch (error) {
    if (!(error instanceof StoryStepFailed)) throw error;
    write(`\nFAILED at ${elapsed(world.clock)}: ${error.message}`);
    return 1;
  } finally {
    await world.close();
  }
}

function sinceClick(clock: FakeClock, clickedAt: number): string {
  const minutes = Math.round((clock.now().getTime() - clickedAt) / 60_000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const runStory = (write: (line: string) => void) => tell(write, replayTheIncident);

async function replayTheIncident(world: DemoWorld, step: (text: string) => void, write: (line: string) => void) {
  const { config, clock, mailer, mamori } = world;
  write('Mamori demo: the story in seed/STORY.md, on a fake clock (nothing leaves this process)');
  write('The attacker gets in as in the story: risk challenges and change delays are off for this replay. With the');
  write('defaults, the sign-in from a new browser stops at a code mailed to the owner, and changes wait 24 h.\n');
  await ownerSignsUp(world);
  step(`owner ${OWNER} has an account and signs in from the laptop they always use`);

  clock.advance(3 * 24 * 3_600_000);
  const attacker = await attackerTakesOver(world);
  step(
    'attacker signs in with the stolen password from a new browser, changes the email and password, adds an address',
  );
  const notices = mailer.to(OWNER).filter((m) => /New sign-in|was changed|was added|asked to change/.test(m.subject));
  step(`${notices.length} notices reached ${OWNER}, each with a "This wasn't me" link:`);
  for (const notice of notices) write(`              - ${notice.subject}`);

  clock.advance(2 * 60_000);
  const clickedAt = clock.now().getTime();
  const link = emailChangedReportLink(world);
  const { statusPath, undoCount } = await ownerReports(world, link);
  step(
    `owner clicks "This wasn't me" in the email-change notice and confirms: ${undoCount} ${undoCount === 1 ? 'change' : 'changes'} to undo`,
  );
  expectStep((await attacker.get('/api/session')).statusCode === 401, 'the attacker is signed out');
  const probe = new InjectClient(mamori.app);
  expectStep((await signInWith(probe, OWNER, ATTACKER_PASSWORD)) === 401, 'the attacker’s password no longer works');
  expectStep(
    (await signInWith(probe, ATTACKER, ATTACKER_PASSWORD)) === 401,
    'the attacker’s address no longer signs in',
  );
  const account = await mamori.deps.db.selectFrom('accounts').select(['email', 'status']).executeTakeFirstOrThrow();
  expectStep(account.email === OWNER && account.status === 'locked', 'email restored and account locked');
  const live = await mamori.deps.db.selectFrom('addresses').select('id').where('removed_at', 'is', null).execute();
  expectStep(live.length === 0, 'the attacker’s shipping address is removed');
  step('contained at once: attacker signed out, password disabled, email restored, address removed');
  await world.deliver();
  step(`${ATTACKER} is told the change was reversed and may object within the waiting period`);
  const status = await probe.get(statusPath);
  expectStep(/Waiting period running/.test(status.body), 'the incident page shows the waiting period');

  clock.advance(config.incidentWaitMs);
  step(
    `${config.incidentWaitMs / 3_600_000} h pass without objection: recovery opens, a link goes to the restored address`,
  );
  const { checklist } = await ownerRecovers(world, 'fresh start lantern meadow');
  step('owner sets a new password through the restored address and signs in');
  step('checklist:');
  for (const item of checklist) write(`              [ ] ${item}`);
  write(
    `\nFrom the owner's click to a usable account: ${sinceClick(clock, clickedAt)}, of which the owner spent one click and one form.`,
  );
  write('In the story it took about 3.5 days, with the customer doing all the chasing.');
}

/** The same intrusion when the owner had a passkey (issue 27): proof instead of the wait. */
const runPasskeyStory = (write: (line: string) => void) => tell(write, replayWithPasskey);

async function replayWithPasskey(world: DemoWorld, step: (text: string) => void, write: (line: string) => void) {
  const { config, clock, mailer, mamori } = world;
  write('\nThe same intrusion, when the owner had a passkey:\n');
  const { phone, printout } = await ownerWithPasskey(world, config.publicUrl);
  step(`owner ${OWNER} registers a passkey on her phone and keeps the recovery codes on paper`);
  clock.advance(3 * 24 * 3_600_000);
  await intruderAddsHisPasskey(world, config.publicUrl, printout[0] ?? '');
  step('intruder signs in with the stolen password and a code from her printout, moves the email, adds his passkey');
  clock.advance(2 * 60_000);
  const clickedAt = clock.now().getTime();
  await ownerProvesWithPasskey(world, phone, config.publicUrl);
  step('owner clicks "This wasn\'t me", proves it with her phone\'s passkey, opens the account and adds a new passkey');
  const incident = await mamori.deps.db
    .selectFrom('incidents')
    .select(['state', 'proven_by'])
    .executeTakeFirstOrThrow();
  expectStep(incident.state === 'recovered' && incident.proven_by !== null, 'recovered by proof, no wait');
  await world.deliver();
  expectStep(
    mailer.to(ATTACKER).some((m) => /proved it is theirs/.test(m.subject)),
    'the intruder is told in words which factor proved it',
  );
  step(
    `${ATTACKER} is told the owner proved it with a passkey held since before the intrusion; he may object to a person`,
  );
  write(`\nFrom the owner's click to a usable account: ${sinceClick(clock, clickedAt)}, four clicks, no wait.`);
}
