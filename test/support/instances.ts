// Several Mamori processes on one database behind a round-robin proxy, as a shop that outgrew one box
// runs them (DESIGN 1). Each instance (test/support/instance.ts) runs its own outbox worker; the fake
// clock is moved in every one of them; mail goes over real SMTP to one inbox.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import inject from 'light-my-request';
import type { InjectOptions } from 'fastify';
import type { StoryWorld } from '../../src/cli/demo/story.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { listenOnLoopback } from './loopback.ts';
import { SmtpInbox } from './smtp-inbox.ts';

export const CLOCK_START = '2026-03-02T05:46:00.000Z';

type Reply = { id?: number; port?: number; advanced?: string; ran?: number };

class Instance {
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private asked = 0;
  port = 0;
  /** Requests the proxy sent here. */
  served = 0;
  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      this.waiting.get(reply.id ?? 0)?.(reply);
      this.waiting.delete(reply.id ?? 0);
    });
  }
  /** Sends a message; its answer carries the same id. */
  ask(message: object): Promise<Reply> {
    const id = (this.asked += 1);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...message, id }, (error) => error && reject(error));
    });
  }
  /** The first message: the port it listens on. */
  ready(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting.set(0, resolve);
      this.child.once('exit', (code) => reject(new Error(`an instance exited with ${code} before listening`)));
    });
  }
}

export interface Instances {
  proxyUrl: string;
  instances: Instance[];
  /** The story's world over the network: every request through the proxy, mail read from the SMTP inbox. */
  world: StoryWorld & { clock: FakeClock };
  inbox: SmtpInbox;
  /** A connection of the test's own, to check what the instances wrote. */
  store: Store;
  /** kill -9: no shutdown, no finishing what it was sending. */
  crash(index: number): Promise<void>;
  /** A new process in its place, its clock where the others' are. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** Forwards a request to `target` and pipes the answer back, as a plain reverse proxy does. */
function forward(req: IncomingMessage, res: ServerResponse, target: string, agent: Agent, headers = req.headers) {
  const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers, agent });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(error));
  });
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
}

export async function startInstances(
  count: number,
  databaseUrl: string,
  env: Record<string, string>,
): Promise<Instances> {
  const inbox = new SmtpInbox();
  await inbox.start();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const instances: Instance[] = [];
  let turn = 0;
  const proxy = createServer((req, res) => {
    const instance = instances[turn++ % instances.length] as Instance;
    instance.served += 1;
    forward(req, res, `http://127.0.0.1:${instance.port}`, agent);
  });
  const proxyUrl = `http://127.0.0.1:${await listenOnLoopback(proxy)}`;

  const script = fileURLToPath(new URL('./instance.ts', import.meta.url));
  const launch = (clockAt: string) =>
    new Instance(
      fork(script, [], {
        execArgv: ['--import', 'tsx'],
        stdio: 'inherit',
        env: {
          ...process.env,
          MAMORI_DATABASE_URL: databaseUrl,
          MAMORI_SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
          MAMORI_PUBLIC_URL: proxyUrl,
          // The proxy says who the client is; Mamori trusts the one hop in front of it.
          MAMORI_TRUST_PROXY: '1',
          MAMORI_SHOP_NAME: 'Maple Market',
          MAMORI_DEFAULT_LOCALE: 'en',
          MAMORI_LOG_LEVEL: 'silent',
          MAMORI_DEMO_ACCOUNT: 'false',
          TEST_CLOCK_START: clockAt,
          ...env,
        },
      }),
    );
  for (let i = 0; i < count; i += 1) instances.push(launch(CLOCK_START));
  // All at once, as a deployment starts them: migrations and first keys must be safe to race.
  for (const [i, reply] of (await Promise.all(instances.map((instance) => instance.ready()))).entries())
    (instances[i] as Instance).port = reply.port ?? 0;

  const store = openStore(databaseUrl);
  const clock = new FakeClock(CLOCK_START);
  let clockMoved: Promise<unknown> = Promise.resolve();
  const advance = clock.advance.bind(clock);
  // Real time never jumps past a claim in the middle of a send (a send gives up long before its claim
  // ends, src/delivery/mailer.ts). The fake clock jumps with every worker stopped, so no instance sees
  // another's claim from before the jump as run out.
  clock.advance = (ms: number) => {
    advance(ms);
    const previous = clockMoved;
    clockMoved = previous
      .then(() => Promise.all(instances.map((instance) => instance.ask({ pause: true }))))
      .then(() => Promise.all(instances.map((instance) => instance.ask({ advance: ms }))));
  };

  // A client's request goes to the proxy over HTTP; the proxy is told the client's address.
  const client = new Agent({ keepAlive: true, maxSockets: 64 });
  const dispatch = (req: IncomingMessage, res: ServerResponse) =>
    forward(req, res, proxyUrl, client, {
      ...req.headers,
      host: new URL(proxyUrl).host,
      'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1',
    });

  /** What is left undelivered and why, for the failure's message. */
  async function undelivered(): Promise<string> {
    const rows = await store.db
      .selectFrom('outbox')
      .select(['channel', 'template', 'status', 'attempts', 'next_attempt_at', 'locked_until', 'last_error'])
      .where('status', 'in', ['queued', 'processing'])
      .orderBy('created_at')
      .execute();
    return JSON.stringify(rows);
  }

  /**
   * Every instance's worker runs, and runs again while anything due is left: an event queued behind one
   * that another instance had in flight waits for the next run, as it waits for the next poll in production.
   */
  async function deliver(): Promise<number> {
    await clockMoved;
    const deadline = Date.now() + 20_000;
    let sent = 0;
    for (;;) {
      const ran = await Promise.all(instances.map((instance) => instance.ask({ runOnce: true })));
      sent += ran.reduce((sum, reply) => sum + (reply.ran ?? 0), 0);
      const inFlight = await store.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('status', 'in', ['queued', 'processing'])
        .where('next_attempt_at', '<=', clock.now().toISOString())
        .executeTakeFirstOrThrow();
      if (Number(inFlight.count) === 0) return sent;
      if (Date.now() > deadline)
        throw new Error(`${inFlight.count} messages still undelivered: ${await undelivered()}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const world = {
    app: {
      inject: async (options: InjectOptions) => {
        await clockMoved;
        return inject(dispatch, options);
      },
    },
    clock,
    mailer: {
      to: (address: string) =>
        inbox.to(address).map((mail) => ({ subject: mail.subject ?? '', text: mail.text ?? '' })),
      link: (address: string, path: string) => inbox.link(address, path),
    },
    deliver,
  };

  return {
    proxyUrl,
    instances,
    world,
    inbox,
    store,
    async crash(index: number) {
      const instance = instances[index] as Instance;
      instance.child.kill('SIGKILL');
      await once(instance.child, 'exit');
    },
    async restart(index: number) {
      await clockMoved;
      const instance = launch(clock.now().toISOString());
      instance.port = (await instance.ready()).port ?? 0;
      instances[index] = instance;
    },
    async stop() {
      await Promise.all(
        instances.map(async (instance) => {
          if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
          instance.child.kill('SIGTERM');
          await once(instance.child, 'exit');
        }),
      );
      proxy.closeAllConnections();
      proxy.close();
      agent.destroy();
      client.destroy();
      await store.close();
      await inbox.stop();
    },
  };
}
