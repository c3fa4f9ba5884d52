import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server on 127.0.0.1 that times each notice from its commit to its acceptance: the bench sets
 * `committedAt` for an outbox id, and the mail carrying that id in its Message-ID adds one latency.
 */
export async function smtpLatencyServer() {
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const at = committedAt.get(/Message-ID: <([^@>]+)@/i.exec(head)?.[1] ?? '');
        if (at !== undefined) latencies.push(performance.now() - at);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as { port: number }).port,
    committedAt,
    latencies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
