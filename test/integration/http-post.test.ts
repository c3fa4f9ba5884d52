// The outbox worker's POST to a shop: what it does with a receiver that redirects, floods, stalls or is gone.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import { receiverClient } from '../../src/delivery/http-post.ts';
import { receiverAgents, type ResolveHost } from '../../src/delivery/receiver-agents.ts';
import { parseReceiverAllowList, type ReceiverPolicy } from '../../src/platform/receiver-policy.ts';
import { freePort, listenOnLoopback } from '../support/loopback.ts';
import { loopbackOnly } from '../support/loopback-only.ts';

const development: ReceiverPolicy = { loopback: true, networks: [], names: [] };
const production: ReceiverPolicy = { loopback: false, networks: [], names: [] };

describe('POST to a receiver', () => {
  const client = receiverClient(development);
  const postToReceiver = client.post;
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
    client.close();
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

/**
 * A receiver closes an idle kept-alive connection (Node's server after 5 s, a proxy after its own time);
 * a POST that went out on it at that moment dies with ECONNRESET before the receiver's handler saw it.
 */
describe('POST to a receiver: kept-alive connections closed underneath', () => {
  const connections: Socket[] = [];
  const handled: string[] = [];
  /** What the receiver does with a request on a connection that already served one: 'answer' or 'close'. */
  let onKept: 'answer' | 'close' = 'answer';
  let onFresh: 'answer' | 'close' = 'answer';
  const server = createServer((req, res) => {
    const kept = (servedOn.get(req.socket) ?? 0) > 0;
    servedOn.set(req.socket, (servedOn.get(req.socket) ?? 0) + 1);
    if ((kept ? onKept : onFresh) === 'close') return void req.socket.destroy();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      handled.push(body);
      res.writeHead(202).end();
    });
  });
  const servedOn = new WeakMap<Socket, number>();
  server.on('connection', (socket: Socket) => connections.push(socket));
  let base = '';

  before(async () => {
    base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('a kept connection closed as the POST goes out: sent once more on a new one, and answered', async () => {
    const client = receiverClient(development);
    try {
      onKept = 'answer';
      onFresh = 'answer';
      assert.equal((await client.post(`${base}/events`, {}, 'first')).status, 202);
      const opened = connections.length;
      onKept = 'close';
      assert.equal((await client.post(`${base}/events`, {}, 'second')).status, 202);
      assert.equal(connections.length, opened + 1, 'one new connection');
      assert.deepEqual(handled.slice(-2), ['first', 'second'], 'the receiver handled each once');
    } finally {
      client.close();
    }
  });

  test('a new connection reset, or a kept one and then the new one: failed, tried no more than twice', async () => {
    const client = receiverClient(development);
    try {
      onKept = 'close';
      onFresh = 'close';
      let opened = connections.length;
      await assert.rejects(client.post(`${base}/events`, {}, 'fresh'), /ECONNRESET|socket hang up/);
      assert.equal(connections.length, opened + 1, 'a reset on a new connection is not tried again here');

      onFresh = 'answer';
      assert.equal((await client.post(`${base}/events`, {}, 'keeps a connection')).status, 202);
      onFresh = 'close';
      opened = connections.length;
      await assert.rejects(client.post(`${base}/events`, {}, 'twice'), /ECONNRESET|socket hang up/);
      assert.equal(connections.length, opened + 1, 'the kept one, then one new one: the worker retries later');
    } finally {
      client.close();
    }
  });

  test("a receiver's Keep-Alive hint is honoured: its idle connection is let go a second before it would close it", async () => {
    const agent = receiverAgents(development, 4)['http:'];
    onFresh = 'answer';
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${base}/events`, { method: 'POST', agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        });
        request.on('error', reject);
        request.end('hint');
      });
      assert.equal(status, 202);
      const idle = Object.values(agent.freeSockets).flat();
      assert.equal(idle.length, 1);
      assert.equal(idle[0]?.timeout, server.keepAliveTimeout - 1_000);
    } finally {
      agent.destroy();
    }
  });
});

/**
 * Issue 24 section 1, from a hostile shop's side: its endpoint points at Mamori's own network. The check
 * runs when the connection opens, on the address the name resolved to; DNS here is a table, never real.
 */
describe('POST to a receiver: only where the operator allows', () => {
  let connections = 0;
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  server.on('connection', () => (connections += 1));
  let port = 0;
  const table = new Map<string, { address: string; family: number }[]>();
  const lookups: string[] = [];
  const resolve: ResolveHost = async (hostname) => {
    lookups.push(hostname);
    const answer = table.get(hostname);
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  };
  const guard = loopbackOnly();

  before(async () => {
    port = await listenOnLoopback(server);
  });
  after(() => {
    guard.restore();
    server.closeAllConnections();
    server.close();
  });

  test('production: a name that resolves to loopback is refused at connect time, nothing connected to', async () => {
    const client = receiverClient(production, resolve);
    try {
      table.set('rebind.shop.example', [{ address: '127.0.0.1', family: 4 }]);
      table.set('mapped.shop.example', [{ address: '::ffff:127.0.0.1', family: 6 }]);
      table.set('six.shop.example', [{ address: '::1', family: 6 }]);
      for (const name of ['rebind.shop.example', 'mapped.shop.example', 'six.shop.example'])
        await assert.rejects(
          client.post(`http://${name}:${port}/events`, { authorization: 'Bearer chosen-by-the-shop' }, 'token'),
          (error: Error & { code?: string }) =>
            error.code === 'ERR_RECEIVER_REFUSED' &&
            /^refused before connecting: [a-z.]+ resolves to [:f.\d]+ is a loopback address .*MAMORI_RECEIVER_ALLOW/.test(
              error.message,
            ),
          name,
        );
      assert.equal(connections, 0);
      assert.deepEqual(received, []);
    } finally {
      client.close();
    }
  });

  test('production: every address literal of the SSRF list is refused before any connection or lookup', async () => {
    const client = receiverClient(production, resolve);
    const before = lookups.length;
    try {
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `http://0x7f.1:${port}/`,
        `http://2130706433:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://localhost.:${port}/`,
        'https://169.254.169.254/latest/meta-data/',
        'https://[::ffff:169.254.169.254]/',
        'https://10.0.0.1/',
        'https://100.64.0.1/',
        'https://[fd00::1]/',
        'https://[fe80::1]/',
        'https://0.0.0.0/',
        'https://metadata.google.internal/',
      ])
        await assert.rejects(client.post(url, {}, 'token'), /refused before connecting: .*MAMORI_RECEIVER_ALLOW/, url);
      assert.equal(connections, 0);
      assert.equal(lookups.length, before, 'no name of the list was even resolved');
      assert.deepEqual(guard.attempts, []);
    } finally {
      client.close();
    }
  });

  test('a name the operator lists reaches its private address; the lookup runs once per connection, not per request', async () => {
    const { networks, names } = parseReceiverAllowList('shop.internal');
    const client = receiverClient({ loopback: false, networks, names }, resolve);
    try {
      table.set('shop.internal', [{ address: '127.0.0.1', family: 4 }]);
      const before = lookups.length;
      assert.equal((await client.post(`http://shop.internal:${port}/a`, {}, 'token')).status, 202);
      assert.equal((await client.post(`http://shop.internal:${port}/b`, {}, 'token')).status, 202);
      assert.deepEqual(received.slice(-2), ['/a', '/b']);
      assert.equal(lookups.length - before, 1, 'the kept-alive connection is reused without a new lookup');
    } finally {
      client.close();
    }
  });

  test('development: loopback (the example shop) yes, a name resolving elsewhere private no', async () => {
    const client = receiverClient(development, resolve);
    try {
      table.set('localhost', [{ address: '127.0.0.1', family: 4 }]);
      assert.equal((await client.post(`http://localhost:${port}/dev`, {}, 'token')).status, 202);
      assert.equal((await client.post(`http://127.0.0.1:${port}/dev`, {}, 'token')).status, 202);
      await assert.rejects(client.post('https://10.0.0.1/', {}, 'token'), /RFC 1918/);
      await assert.rejects(client.post('https://[fe80::1]/', {}, 'token'), /link-local/);
      assert.deepEqual(guard.attempts, []);
    } finally {
      client.close();
    }
  });
});
