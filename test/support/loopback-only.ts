import { isIP, Socket } from 'node:net';
import { mock } from 'node:test';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * A safety net for the SSRF tests: while it is on, a socket asked to connect to an address literal off
 * loopback throws instead, so a regression fails the test loudly and sends nothing to 10.0.0.1 or
 * 169.254.169.254. It cannot see the address a name resolves to, so the tests' own DNS table answers
 * loopback addresses only. `attempts` lists what was stopped; `restore` turns the net off.
 */
export function loopbackOnly(): { attempts: string[]; restore(): void } {
  const attempts: string[] = [];
  const original = Socket.prototype.connect;
  const guarded = mock.method(Socket.prototype, 'connect', function (this: Socket, ...args: unknown[]) {
    const first = args[0];
    const host =
      typeof first === 'object' && first !== null && !Array.isArray(first)
        ? (first as { host?: string }).host
        : typeof args[1] === 'string'
          ? args[1]
          : undefined;
    if (host && isIP(host) && !LOOPBACK.test(host)) {
      attempts.push(host);
      throw new Error(`test guard: a connection to ${host} was attempted`);
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  });
  return { attempts, restore: () => guarded.mock.restore() };
}
