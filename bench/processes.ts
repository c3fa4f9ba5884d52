// Bench servers run in their own processes (their own event loops); every one is stopped on exit.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { benchEmail, benchOwnerDevice, benchPassword } from './fixtures.ts';

const children: ChildProcess[] = [];

export function stopServers(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('exit', stopServers);

/** The bench server process with this pid (to send it messages, e.g. profile requests). */
export function childOf(pid: number): ChildProcess | undefined {
  return children.find((child) => child.pid === pid);
}

/** A hard stop so no run can outlive its budget. */
export function hardStop(ms: number, what: string): void {
  setTimeout(() => {
    console.error(`${what}: hard stop after ${ms / 1000} s`);
    stopServers();
    process.exit(2);
  }, ms).unref();
}

/** Starts a bench server and answers its process id once it listens. */
export function startServer(
  role: 'mamori' | 'baseline' | 'oidc-mamori' | 'oidc-bare',
  port: number,
  env: Record<string, string> = {},
  /** Another checkout's bench/servers.ts, to run an earlier Mamori beside this one. */
  serversFile = fileURLToPath(new URL('./servers.ts', import.meta.url)),
): Promise<number> {
  const child = fork(serversFile, [role, String(port)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child.pid ?? 0));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/**
 * Starts a peer's server (a plain JavaScript module on its own node_modules, e.g. bench/peers/), the port as
 * its argument; answers its process id once it says it listens. Stopped on exit like the others.
 */
export function startPeerServer(file: string, port: number, env: Record<string, string> = {}): Promise<number> {
  const child = fork(file, [String(port)], { env: { ...process.env, ...env }, stdio: 'inherit' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child.pid ?? 0));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** A form page's CSRF pair: the cookie and the token that goes with it (reusable for many posts). */
export async function csrfPair(
  base: string,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; token: string }> {
  const page = await fetch(`${base}/sign-in`, { headers });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie, token };
}

/** Signs user 0 in from their own browser: the CSRF pair used and the session cookie, checked live. */
export async function signInSetup(base: string): Promise<{ cookie: string; csrf: string; session: string }> {
  const { cookie: csrfCookie, token: csrf } = await csrfPair(base);
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `${csrfCookie}; mamori_device=${benchOwnerDevice(0)}`,
    },
    body: new URLSearchParams({ _csrf: csrf, email: benchEmail(0), password: benchPassword(0) }).toString(),
  });
  const session = /mamori_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (res.status !== 303 || !session) throw new Error(`bench sign-in failed: ${res.status}`);
  const check = await fetch(`${base}/api/session`, { headers: { cookie: `mamori_session=${session}` } });
  if (check.status !== 200) throw new Error('session check failed before measuring');
  return { cookie: csrfCookie, csrf, session };
}

/** Asks a bench server (a forked child) to do something and waits for its answer naming `key`. */
export function ask(pid: number, message: object, key: string): Promise<void> {
  const child = childOf(pid);
  if (!child) throw new Error(`no bench server with pid ${pid}`);
  return new Promise((resolve) => {
    const listener = (answer: unknown) => {
      if (typeof answer === 'object' && answer !== null && key in answer) {
        child.off('message', listener);
        resolve();
      }
    };
    child.on('message', listener);
    child.send(message);
  });
}

let owner = 0;
/**
 * Autocannon requests for the password sign-in: each the next of `users` owners, with the right
 * password, from the browser she used before (its device cookie), with the form's CSRF pair.
 */
export function ownerSignInRequests(csrf: { cookie: string; token: string }, users = 200) {
  return [
    {
      setupRequest: (req: autocannon.Request) => {
        const n = owner++ % users;
        return {
          ...req,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: `${csrf.cookie}; mamori_device=${benchOwnerDevice(n)}`,
          },
          body: new URLSearchParams({ _csrf: csrf.token, email: benchEmail(n), password: benchPassword(n) }).toString(),
        };
      },
    },
  ];
}
