import type { Logger } from 'pino';

/**
 * Work a request starts but does not wait for, so that its answer takes the same time whatever the work
 * finds (no enumeration by timing: OWASP Forgot Password CS, ASVS 6.3.8). The outbox worker waits for
 * it before each run, so nothing it queues is left behind, and shutdown waits for it too.
 */
export class AfterAnswer {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(task: () => Promise<void>): void {
    const promise = task()
      .catch((error: unknown) => this.log.error({ err: error }, 'after_answer_failed'))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
