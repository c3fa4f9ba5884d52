import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ReceiverPolicy } from '../platform/receiver-policy.ts';
import { receiverAgents, type ResolveHost } from './receiver-agents.ts';

const TIMEOUT_MS = 5_000;
/** Of a receiver's answer only this much is read: enough for an RFC 8935 error body, never a flood. */
const ANSWER_LIMIT = 2_000;
/** Per receiver host, like the worker's own concurrency; idle sockets are kept and reused. */
const SOCKETS_PER_HOST = 16;

export interface ReceiverAnswer {
  status: number;
  /** The first ANSWER_LIMIT characters of the body. */
  text: string;
}

function readAnswer(response: IncomingMessage): Promise<ReceiverAnswer> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
      if (text.length >= ANSWER_LIMIT) {
        response.destroy();
        resolve({ status: response.statusCode ?? 0, text: text.slice(0, ANSWER_LIMIT) });
      }
    });
    response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    response.on('error', reject);
    response.on('close', () => reject(new Error('the answer was cut off')));
  });
}

export type PostToReceiver = (
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs?: number,
) => Promise<ReceiverAnswer>;

export interface ReceiverClient {
  post: PostToReceiver;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * The one client that sends to shops' endpoints (a logout token, a security event): one POST over
 * kept-alive connections (one more try on a new one if the receiver closed a kept one underneath it),
 * never following a redirect, abandoned after 5 s in all, and connecting only where the receiver policy
 * allows (checked on the resolved address, see receiver-agents.ts). Node's own
 * client rather than `fetch`: the outbox worker sends thousands of these a second and `fetch` costs
 * about three times the CPU for each.
 */
export function receiverClient(policy: ReceiverPolicy, resolve?: ResolveHost): ReceiverClient {
  const agents = receiverAgents(policy, SOCKETS_PER_HOST, resolve);
  return {
    post: (url, headers, body, timeoutMs = TIMEOUT_MS) => post(agents, url, headers, body, timeoutMs),
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/**
 * A kept-alive connection the receiver closed as this request went out on it: the request never reached
 * the receiver's handler, so it goes once more on a new connection (Node's documented answer, see
 * `request.reusedSocket`). A receiver drops a repeat by its `jti` anyway, as it does the worker's retries.
 */
const closedUnderneath = (request: ClientRequest, error: NodeJS.ErrnoException) =>
  request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');

function post(
  agents: ReturnType<typeof receiverAgents>,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<ReceiverAnswer> {
  const target = new URL(url);
  const protocol = target.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') return Promise.reject(new Error(`cannot post to ${protocol}`));
  const send = protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let current: ClientRequest | null = null;
    const deadline = setTimeout(() => current?.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const settle =
      <T>(outcome: (value: T) => void) =>
      (value: T) => {
        clearTimeout(deadline);
        outcome(value);
      };
    const attempt = (retryIfClosed: boolean) => {
      const request = send(target, {
        method: 'POST',
        agent: agents[protocol],
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      current = request;
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        readAnswer(response).then(settle(resolve), settle(reject));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (retryIfClosed && !answered && closedUnderneath(request, error)) attempt(false);
        else settle(reject)(error);
      });
      request.end(body);
    };
    attempt(true);
  });
}
