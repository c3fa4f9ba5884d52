import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Socket, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { receiverAddressRefusal, receiverHostRefusal, type ReceiverPolicy } from '../platform/receiver-policy.ts';

/** Resolves a receiver's name to every address it has (tests answer from a table, never real DNS). */
export type ResolveHost = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

const systemResolve: ResolveHost = (hostname, options) => dns.lookup(hostname, { ...options, all: true });

/** A connection Mamori refused to open: the message names the host, the rule and MAMORI_RECEIVER_ALLOW. */
export class ReceiverRefused extends Error {
  readonly code = 'ERR_RECEIVER_REFUSED';
  constructor(reason: string) {
    super(`refused before connecting: ${reason}`);
    this.name = 'ReceiverRefused';
  }
}

/**
 * The lookup every new connection makes (net calls it for names, never for address literals): every
 * address the name resolves to is checked, so a name that resolves, or re-resolves after its TTL, to a
 * private address is refused right before the connect, not only when it was registered.
 */
function checkedLookup(policy: ReceiverPolicy, resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options).then(
      (addresses) => {
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
        for (const { address } of addresses) {
          const refusal = receiverAddressRefusal(policy, hostname, address);
          if (refusal) return callback(new ReceiverRefused(refusal), '');
        }
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

/** A socket that fails at once with the refusal: the request reports it, nothing is connected to. */
function refusedSocket(reason: string): Socket {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(new ReceiverRefused(reason)));
  return socket;
}

/** The host as written (a name or an address literal) is checked before the connection opens. */
const hostRefusal = (policy: ReceiverPolicy, options: ClientRequestArgs) =>
  receiverHostRefusal(policy, options.host ?? options.hostname ?? '');

/** The agent opens a connection only after the host as written passed (http and https alike). */
function checked<A extends HttpAgent>(agent: A, policy: ReceiverPolicy): A {
  const open = agent.createConnection.bind(agent);
  agent.createConnection = (options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void) => {
    const refusal = hostRefusal(policy, options);
    return refusal ? refusedSocket(refusal) : open(options, callback);
  };
  return agent;
}

/**
 * How long an idle kept-alive connection is kept. Node's agent honours a receiver's `Keep-Alive: timeout=N`
 * (closing a second before it) only when it has an idle limit of its own.
 */
const IDLE_MS = 30_000;

/**
 * Kept-alive agents that open a connection only to where the policy allows. The check runs once per new
 * connection (the agent's own lookup), never per request: a reused socket was checked when it opened.
 */
export function receiverAgents(policy: ReceiverPolicy, maxSockets: number, resolve: ResolveHost = systemResolve) {
  const options = { keepAlive: true, maxSockets, timeout: IDLE_MS, lookup: checkedLookup(policy, resolve) };
  return { 'http:': checked(new HttpAgent(options), policy), 'https:': checked(new HttpsAgent(options), policy) };
}
