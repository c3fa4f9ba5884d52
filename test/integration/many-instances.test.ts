import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import pino from 'pino';
import {
  attackerTakesOver,
  checkedUndo,
  emailChangedReportLink,
  OWNER,
  ownerRecovers,
  ownerReports,
  ownerSignsUp,
  STORY_ENV,
} from '../../src/cli/demo/story.ts';
import { InjectClient, pathOf, tokenOf } from '../../src/cli/inject-client.ts';
import { loadConfig } from '../../src/config.ts';
import { MemoryMailer } from '../../src/delivery/memory-mailer.ts';
import { composeMamori, type Mamori } from '../../src/runtime/compose.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { addClient } from '../../src/services/oidc/clients.ts';
import { createStream } from '../../src/services/ssf/streams.ts';
import { MAIL_CHANNEL, SSF_CHANNEL } from '../../src/store/outbox.ts';
import { CLOCK_START, startInstances, type Instances } from '../support/instances.ts';
import { pgCluster, postgresUnavailable, stopClusterIfStarted } from '../support/postgres.ts';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../support/loopback.ts';
import { queueMail } from '../../src/services/notices/mail-queue.ts';
import { queueSecurityEvents } from '../../src/services/ssf/security-events.ts';

const INSTANCES = 3;
const CLICKS = 50;
const SIGN_IN_LIMIT = 12;
const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';

/** A shop's push endpoint that keeps every SET it got and can hold its 202s, leaving senders mid-send. */
async function holdingReceiver() {
  const accepted: string[] = [];
  let held: (() => void)[] | null = null;
  const server = createServer((request, response) => {
    let body = '';
    // A sender killed mid-request resets the connection: nothing to answer then.
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      accepted.push(body);
      const answer = () => response.writeHead(202).end();
      if (held) held.push(answer);
      else answer();
    });
  });
  const url = `http://127.0.0.1:${await listenOnLoopback(server)}/events`;
  return {
    url,
    accepted,
    held: () => held?.length ?? 0,
    hold: () => void (held ??= []),
    /** Answers what it holds, and goes on holding. */
    answerHeld() {
      const waiting = held ?? [];
      held = held && [];
      for (const answer of waiting) answer();
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const answer of waiting) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Issue 16: three Mamori processes on one PostgreSQL, behind a round-robin proxy, every instance's
 * worker running. The story, a credential-stuffing wave and 50 simultaneous "This wasn't me" clicks go
 * through the proxy; each notice is mailed once (over SMTP), each account gets one incident, the
 * throttles are shared, and the shop's stream gets every event once.
 */
describe('many instances on one PostgreSQL', { skip: postgresUnavailable ?? false }, () => {
  let cluster: Instances;
  /** An operator's connection to the same database (as `mamori` commands are), worker off. */
  let admin: Mamori;
  let receiver: Awaited<ReturnType<typeof holdingReceiver>>;

  before(async () => {
    const databaseUrl = await (await pgCluster()).newDatabaseUrl();
    const env = {
      ...STORY_ENV,
      MAMORI_SECRET_KEY: randomBytes(32).toString('base64url'),
      MAMORI_SIGN_IN_LIMIT_PER_MINUTE: String(SIGN_IN_LIMIT),
    };
    cluster = await startInstances(INSTANCES, databaseUrl, env);
    admin = await composeMamori(
      loadConfig({
        ...env,
        MAMORI_DATABASE_URL: databaseUrl,
        MAMORI_PUBLIC_URL: cluster.proxyUrl,
        MAMORI_LOG_LEVEL: 'silent',
        MAMORI_DEMO_ACCOUNT: 'false',
      }),
      {
        clock: new FakeClock(CLOCK_START),
        mailer: new MemoryMailer(),
        workerIntervalMs: 0,
        log: pino({ level: 'silent' }),
      },
    );
    receiver = await holdingReceiver();
    const { client } = await addClient(admin.deps, {
      name: 'Maple Market shop',
      redirectUris: ['http://127.0.0.1:4399/callback'],
      firstParty: true,
    });
    await createStream(admin.deps, client.clientId, {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
    });
  });

  after(async () => {
    await cluster?.stop();
    await admin?.close();
    await receiver?.close();
    await stopClusterIfStarted();
  });

  const mailsTo = (address: string, subject: RegExp) =>
    cluster.inbox.to(address).filter((mail) => subject.test(mail.subject ?? ''));

  test('the story plays through the proxy: every notice once, one incident, recovery after the wait', async () => {
    const world = cluster.world;
    await ownerSignsUp(world);
    world.clock.advance(3 * 24 * 3_600_000);
    await attackerTakesOver(world);
    const { statusPath } = await ownerReports(world, emailChangedReportLink(world));
    assert.match(statusPath, /^\/incident\?token=/);
    world.clock.advance(5 * 3_600_000 + 60_000);
    const { checklist } = await ownerRecovers(world, 'fresh start lantern meadow');
    assert.ok(checklist.length > 0);

    assert.equal(mailsTo(OWNER, /email address of your Maple Market account was changed/).length, 1);
    assert.equal(mailsTo(OWNER, /We secured your/).length, 1);
    assert.equal(mailsTo(OWNER, /Recover your/).length, 1);
    const incidents = await cluster.store.db.selectFrom('incidents').select(['id', 'state']).execute();
    assert.equal(incidents.length, 1);
    // Every instance took part.
    for (const instance of cluster.instances) assert.ok(instance.served > 0, 'the proxy sent work to each');
  });

  test('a credential-stuffing wave through all three instances meets one shared limit', async () => {
    const wave = new InjectClient(cluster.world.app);
    wave.remoteAddress = '203.0.113.66';
    await wave.get('/sign-in');
    const answers = await Promise.all(
      Array.from({ length: SIGN_IN_LIMIT * INSTANCES + 6 }, (_, i) =>
        wave.post('/sign-in', { email: `user${i}@stuffing.example`, password: 'Password123!' }),
      ),
    );
    const limited = answers.filter((answer) => answer.statusCode === 429).length;
    assert.equal(answers.length - limited, SIGN_IN_LIMIT, 'the limit is counted once, not once per instance');
    // Another address is not held back by this one's limit.
    const other = new InjectClient(cluster.world.app);
    other.remoteAddress = '198.51.100.20';
    await other.get('/sign-in');
    assert.notEqual((await other.post('/sign-in', { email: OWNER, password: 'wrong guess here' })).statusCode, 429);
  });

  test(`${CLICKS} simultaneous "This wasn't me" clicks on ${CLICKS} accounts: one incident each, every mail and event once`, async () => {
    const world = cluster.world;
    const people = Array.from({ length: CLICKS }, (_, i) => `person${i}@many.example`);
    // Each person registers, confirms, signs in and adds an address, which mails a notice with the link.
    // Each person from an address of their own, as 50 people at home are.
    const clients = people.map((_, i) => {
      const client = new InjectClient(world.app);
      client.remoteAddress = `198.51.100.${100 + i}`;
      return client;
    });
    await Promise.all(
      people.map(async (email, i) => {
        const client = clients[i] as InjectClient;
        await client.get('/register');
        const registered = await client.post('/register', { name: 'Many', email, password: 'a long enough phrase 42' });
        assert.equal(registered.statusCode, 200);
      }),
    );
    await world.deliver();
    await Promise.all(
      people.map(async (email, i) => {
        const client = clients[i] as InjectClient;
        const link = world.mailer.link(email, '/verify-email');
        await client.get(pathOf(link));
        assert.equal((await client.post('/verify-email', { token: tokenOf(link) })).statusCode, 303);
        await client.get('/sign-in');
        assert.equal((await client.post('/sign-in', { email, password: 'a long enough phrase 42' })).statusCode, 303);
        await client.get('/account');
        const added = await client.post('/account/addresses', {
          recipient: 'Someone',
          postalCode: '100-0001',
          region: 'Tokyo',
          city: 'Chiyoda',
          line1: '1-1-1',
          country: 'JP',
        });
        assert.equal(added.statusCode, 303);
      }),
    );
    await world.deliver();

    // Everyone opens their notice, then all click at once.
    const clickers = await Promise.all(
      people.map(async (email, i) => {
        const notice = mailsTo(email, /address/i).find((mail) => /This wasn't me: /.test(mail.text ?? ''));
        const link = notice?.text?.match(/This wasn't me: (\S+)/)?.[1] ?? '';
        assert.ok(link, `${email} got a notice with a link`);
        const client = clients[i] as InjectClient;
        const page = await client.get(pathOf(link));
        assert.equal(page.statusCode, 200);
        return { client, link, undo: checkedUndo(page.body) };
      }),
    );
    const clicked = await Promise.all(
      clickers.map(({ client, link, undo }) => client.post('/report', { token: tokenOf(link), undo })),
    );
    assert.deepEqual(
      clicked.map((answer) => answer.statusCode),
      clicked.map(() => 303),
    );
    // The same links clicked again (a double click, a second tab): no second incident.
    const again = await Promise.all(
      clickers.map(({ client, link, undo }) => client.post('/report', { token: tokenOf(link), undo })),
    );
    assert.ok(again.every((answer) => answer.statusCode !== 500));
    await world.deliver();

    const accounts = await cluster.store.db
      .selectFrom('accounts')
      .select(['id', 'email', 'status'])
      .where('email', 'like', '%@many.example')
      .execute();
    assert.equal(accounts.length, CLICKS);
    assert.ok(accounts.every((account) => account.status === 'locked'));
    const incidents = await cluster.store.db
      .selectFrom('incidents')
      .select('account_id')
      .where(
        'account_id',
        'in',
        accounts.map((account) => account.id),
      )
      .execute();
    assert.equal(incidents.length, CLICKS, 'one incident per account');
    assert.equal(new Set(incidents.map((incident) => incident.account_id)).size, CLICKS);
    for (const email of people) assert.equal(mailsTo(email, /We secured your/).length, 1, email);

    // No mail twice: each outbox message reached the relay once, under its own Message-ID.
    const ids = cluster.inbox.messages.map((mail) => mail.messageId);
    assert.equal(new Set(ids).size, ids.length, 'no message delivered twice');
    const unsent = await cluster.store.db
      .selectFrom('outbox')
      .select('id')
      .where('status', '!=', 'sent')
      .where('channel', '=', MAIL_CHANNEL)
      .execute();
    assert.deepEqual(unsent, [], 'no mail lost');

    // The shop's stream: every account it heard of disabled exactly once, no event lost or doubled.
    const events = receiver.accepted.map(
      (set) => decodeJwt(set) as { jti: string; sub_id?: { sub?: string }; events: object },
    );
    const jtis = events.map((event) => event.jti);
    assert.equal(new Set(jtis).size, jtis.length, 'no event delivered twice');
    const disabled = events
      .filter((event) => ACCOUNT_DISABLED in event.events)
      .map((event) => String(event.sub_id?.sub));
    for (const account of accounts) assert.equal(disabled.filter((sub) => sub === account.id).length, 1);
    const queuedEvents = await cluster.store.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('channel', '=', SSF_CHANNEL)
      .executeTakeFirstOrThrow();
    assert.equal(jtis.length, Number(queuedEvents.count), 'every queued event delivered');
  });
  test('kill -9 in the middle of delivering mail and events, at three points: after restarts nothing is lost, and every repeat carries the id it had', async () => {
    const world = cluster.world;
    await world.deliver();
    const mailBefore = cluster.inbox.messages.length;
    const eventsBefore = receiver.accepted.length;
    const MAILS = 120;
    const EVENTS = 240;
    receiver.hold();
    cluster.inbox.hold();
    await admin.deps.db.transaction().execute(async (trx) => {
      for (let i = 0; i < MAILS; i += 1)
        await queueMail(trx, admin.deps, {
          to: `crash${i}@many.example`,
          locale: 'en',
          accountId: null,
          message: {
            template: 'password-reset',
            model: { link: `${cluster.proxyUrl}/reset?token=t${i}`, expiresMinutes: 30 },
          },
        });
      await queueSecurityEvents(
        trx,
        admin.deps,
        Array.from({ length: EVENTS }, (_, i) => ({
          event: {
            name: 'credential-change' as const,
            accountId: `crash-account-${i % 60}`,
            credentialType: 'password' as const,
            changeType: 'update' as const,
          },
        })),
      );
    });
    const queued = await cluster.store.db
      .selectFrom('outbox')
      .select(['id', 'channel'])
      .where('status', '!=', 'sent')
      .execute();
    assert.equal(queued.length, MAILS + EVENTS);

    const until = async (what: string, condition: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const held = () => receiver.held() + cluster.inbox.heldCount();
    // Three points, one instance each: senders pile up mid-send against receivers that do not answer, one
    // instance is killed, the receivers answer what they hold (the dead one's sends were received but never
    // acknowledged) and go on holding, and the instance restarts. The first point is at the first sends.
    for (const victim of [0, 1, 2]) {
      await until(`sends in flight before killing instance ${victim}`, () => held() >= 2 * INSTANCES);
      await cluster.crash(victim);
      receiver.answerHeld();
      cluster.inbox.answerHeld();
      await cluster.restart(victim);
    }
    receiver.release();
    cluster.inbox.release();
    // A dead instance's claims run out after a minute; the others then deliver what it left.
    world.clock.advance(61_000);
    await world.deliver();

    const rows = await cluster.store.db
      .selectFrom('outbox')
      .select(['id', 'channel', 'status', 'attempts'])
      .where(
        'id',
        'in',
        queued.map((row) => row.id),
      )
      .execute();
    assert.deepEqual(
      rows.filter((row) => row.status !== 'sent'),
      [],
      'nothing lost',
    );
    const mailIds = cluster.inbox.messages.slice(mailBefore).map((mail) => String(mail.messageId).slice(1, 37));
    const eventIds = receiver.accepted.slice(eventsBefore).map((set) => String(decodeJwt(set).jti));
    const wanted = (channel: string) =>
      queued
        .filter((row) => row.channel === channel)
        .map((row) => row.id)
        .sort();
    // The receivers drop repeats by id: what is left is every message exactly once.
    assert.deepEqual([...new Set(mailIds)].sort(), wanted(MAIL_CHANNEL));
    assert.deepEqual([...new Set(eventIds)].sort(), wanted(SSF_CHANNEL));
    const repeats = mailIds.length - new Set(mailIds).size + (eventIds.length - new Set(eventIds).size);
    assert.ok(repeats > 0, 'a killed instance was caught mid-send: what it sent unacknowledged came again');
    assert.ok(rows.some((row) => row.attempts > 1));
  });
});
