import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import pino from 'pino';
import { smtpMailer } from '../../src/delivery/mailer.ts';
import { createOutboxWorker, MAX_ATTEMPTS } from '../../src/delivery/outbox-worker.ts';
import { anotherWorker, forEachStore, startMamori, type TestMamori } from '../support/harness.ts';
import { TestClient } from '../support/http-client.ts';

async function requestReset(m: TestMamori, email: string) {
  await m.deps.db
    .insertInto('accounts')
    .values({
      id: m.deps.random.id(),
      email,
      email_verified_at: m.clock.now().toISOString(),
      password_hash: null,
      name: 'Hana',
      locale: 'ja',
      status: 'active',
      created_at: m.clock.now().toISOString(),
      updated_at: m.clock.now().toISOString(),
    })
    .execute();
  const client = new TestClient(m.app);
  await client.get('/forgot-password');
  assert.equal((await client.post('/forgot-password', { email })).statusCode, 200);
  // The reset mail is queued after the answer (the same time for every address): wait for it here.
  await m.deps.afterAnswer.settled();
}

forEachStore('outbox', (store) => {
  let m: TestMamori;
  beforeEach(async () => {
    m = await startMamori(store);
  });
  afterEach(async () => {
    await m.close();
  });

  test('a failed delivery is retried with backoff and nothing is lost', async () => {
    await requestReset(m, 'hana@example.com');
    m.mailer.failNext = 2;
    assert.equal(await m.deliver(), 0);
    let row = await m.deps.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.status, 'queued');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, 'relay unavailable');
    assert.equal(await m.deliver(), 0, 'not due before its backoff');
    m.clock.advance(10_000);
    assert.equal(await m.deliver(), 0);
    m.clock.advance(20_000);
    assert.equal(await m.deliver(), 1);
    row = await m.deps.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 3);
    assert.equal(row.model, null);
    assert.equal(m.mailer.sent.length, 1);
    assert.match(m.mailer.sent[0]?.subject ?? '', /新しいパスワードの設定/, 'in the account language');
  });

  test('after the last attempt a message is abandoned, its link erased', async () => {
    await requestReset(m, 'hana@example.com');
    m.mailer.failNext = MAX_ATTEMPTS;
    for (let i = 0; i < MAX_ATTEMPTS; i += 1) {
      await m.deliver();
      m.clock.advance(3_600_000);
    }
    const row = await m.deps.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.status, 'abandoned');
    assert.equal(row.model, null);
  });

  test('a message claimed by a worker that died is picked up again once its lock expires', async () => {
    await requestReset(m, 'hana@example.com');
    const now = m.clock.now();
    await m.deps.db
      .updateTable('outbox')
      .set({ status: 'processing', locked_until: new Date(now.getTime() + 60_000).toISOString(), attempts: 1 })
      .execute();
    assert.equal(await m.deliver(), 0);
    m.clock.advance(61_000);
    assert.equal(await m.deliver(), 1);
  });

  test('two workers never send the same message twice', async () => {
    for (let i = 0; i < 5; i += 1) await requestReset(m, `user${i}@example.com`);
    const second = anotherWorker(m);
    const [a, b] = await Promise.all([m.deliver(), second.runOnce()]);
    assert.equal(a + b, 5);
    assert.equal(m.mailer.sent.length, 5);
    assert.equal(new Set(m.mailer.sent.map((mail) => mail.id)).size, 5);
  });

  test('real SMTP round trip: the worker sends, an SMTP server on 127.0.0.1 receives, mailparser reads it', async () => {
    const received: Buffer[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    const mailer = smtpMailer(
      `smtp://127.0.0.1:${port}`,
      'Maple Market <no-reply@maple.example>',
      'http://localhost:3000',
    );
    const worker = createOutboxWorker({
      db: m.deps.db,
      clock: m.clock,
      mailer,
      log: pino({ level: 'silent' }),
      mail: { shopName: 'Maple Market', supportEmail: 'help@maple.example', timeZone: 'Asia/Tokyo' },
    });
    try {
      await requestReset(m, 'hana@example.com');
      assert.equal(await worker.runOnce(), 1);
      assert.equal(received.length, 1);
      const parsed = await simpleParser(received[0] as Buffer);
      assert.equal(parsed.subject, 'Maple Market：新しいパスワードの設定');
      assert.equal((parsed.to as { text: string }).text, 'hana@example.com');
      assert.match(parsed.text ?? '', /http:\/\/localhost:3000\/reset-password\?token=[A-Za-z0-9_-]{43}/);
      assert.match(parsed.html || '', /reset-password\?token=/);
      const row = await m.deps.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
      assert.equal(parsed.messageId, `<${row.id}@localhost>`, 'the outbox id lets a receiver drop a repeat');
      assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
    } finally {
      mailer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
