import type { Mailer, OutgoingMail } from './mailer.ts';

/** Keeps mail in memory: for `mamori demo`, which must not send anything anywhere. */
export class MemoryMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
  close(): void {}
  to(address: string): OutgoingMail[] {
    return this.sent.filter((m) => m.to === address);
  }
  /** The newest link to `path` mailed to the address. */
  link(address: string, path: string): string {
    const pattern = new RegExp(`https?://\\S+${path.replace('/', '\\/')}\\?token=[A-Za-z0-9_-]+`);
    for (const mail of [...this.to(address)].reverse()) {
      const match = pattern.exec(mail.text);
      if (match) return match[0];
    }
    throw new Error(`no ${path} link mailed to ${address}`);
  }
  /** The newest 6-digit sign-in code mailed to the address (the code stands alone on its line). */
  signInCode(address: string): string {
    for (const mail of [...this.to(address)].reverse()) {
      const match = /^(\d{6})$/m.exec(mail.text);
      if (match?.[1]) return match[1];
    }
    throw new Error(`no sign-in code mailed to ${address}`);
  }
}
