// Bench servers run in their own processes (their own event loops); every one is stopped on exit.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const children: ChildProcess[] = [];

export function stopServers(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('exit', stopServers);

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
): Promise<number> {
  const child = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), [role, String(port)], {
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
