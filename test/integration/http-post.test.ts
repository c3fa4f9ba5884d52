// The outbox worker's POST to a shop: what it does with a receiver that redirects, floods, stalls or is gone.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, mock, test } from 'node:test';
import { postToReceiver } from '../../src/delivery/http-post.ts';
import { freePort, listenOnLoopback } from '../support/loopback.ts';

describe('POST to a receiver', () => {
  const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(202).end();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  let base = '';

  before(async () => {
    base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('sends the body with its length and headers, and answers the status and body', async () => {
    answer = (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"err":"invalid_key"}');
    const result = await postToReceiver(`${base}/events`, { 'content-type': 'application/secevent+jwt' }, 'a.b.c');
    assert.deepEqual(result, { status: 400, text: '{"err":"invalid_key"}' });
    const last = received.at(-1);
    assert.equal(last?.body, 'a.b.c');
    assert.equal(last?.headers['content-length'], '5');
    assert.equal(last?.headers['content-type'], 'application/secevent+jwt');
  });

  test('a redirect is answered as it is, never followed', async () => {
    const before = received.length;
    answer = (_req, res) => res.writeHead(307, { location: `${base}/elsewhere` }).end();
    const result = await postToReceiver(`${base}/events`, {}, 'token');
    assert.equal(result.status, 307);
    assert.equal(received.length, before + 1, 'one request, to the stream endpoint only');
  });

  test('a flood of an answer is read only up to 2,000 characters', async () => {
    answer = (_req, res) => {
      res.writeHead(400);
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 32; i += 1) res.write(chunk);
      res.end();
    };
    const result = await postToReceiver(`${base}/events`, {}, 'token');
    assert.equal(result.status, 400);
    assert.equal(result.text.length, 2_000);
  });

  test('a receiver that never answers is given up after the deadline', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const arrived = new Promise<void>((resolve) => (answer = () => resolve()));
      const sending = postToReceiver(`${base}/events`, {}, 'token', 5_000);
      await arrived;
      mock.timers.tick(4_999);
      assert.equal(
        await Promise.race([
          sending.then(
            () => 'answered',
            () => 'gave up',
          ),
          'waiting',
        ]),
        'waiting',
      );
      mock.timers.tick(1);
      await assert.rejects(sending, /no answer within 5 s/);
    } finally {
      mock.timers.reset();
    }
  });

  test('nobody listening, or an address that is not http(s): refused with a reason, nothing thrown past it', async () => {
    await assert.rejects(postToReceiver(`http://127.0.0.1:${await freePort()}/events`, {}, 'token'), /ECONNREFUSED/);
    await assert.rejects(postToReceiver('ftp://127.0.0.1/events', {}, 'token'), /cannot post to ftp:/);
  });
});
