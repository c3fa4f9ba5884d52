import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/** Starts a server on 127.0.0.1 on a port the system picks; answers the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** A port nobody listens on yet, so an address can be known before the server that will use it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnLoopback(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
