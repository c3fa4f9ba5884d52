import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that keeps what it receives, parsed with mailparser. */
export class SmtpInbox {
  readonly messages: ParsedMail[] = [];
  private readonly server: SMTPServer;
  port = 0;
  /** While set, each message is kept but its 250 answer waits (a sender is left mid-send). */
  private held: (() => void)[] | null = null;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.messages.push(mail);
            if (this.held) this.held.push(() => callback());
            else callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  async start(): Promise<void> {
    // A sender killed mid-message resets its connection: expected in the crash tests, nothing to report.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as { port: number }).port;
  }

  /** From now on no message is answered until `release`. */
  hold(): void {
    this.held ??= [];
  }

  heldCount(): number {
    return this.held?.length ?? 0;
  }

  /** Answers every held message, and goes on holding. */
  answerHeld(): void {
    const held = this.held ?? [];
    if (this.held) this.held = [];
    for (const answer of held) answer();
  }

  /** Answers every held message and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const answer of held) answer();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  to(address: string): ParsedMail[] {
    return this.messages.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(address)));
  }

  /** The newest link to `path` in mail to the address, optionally only from mails whose subject matches. */
  link(address: string, path: string, subject?: RegExp): string {
    for (const mail of [...this.to(address)].reverse()) {
      if (subject && !subject.test(mail.subject ?? '')) continue;
      const match = new RegExp(`https?://\\S+${path.replace('/', '\\/')}\\?token=[A-Za-z0-9_-]+`).exec(mail.text ?? '');
      if (match) return match[0];
    }
    throw new Error(`no ${path} link in mail to ${address}`);
  }
}
