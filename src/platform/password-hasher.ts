import { hash, verify } from '@node-rs/argon2';
import pLimit, { type LimitFunction } from 'p-limit';

/** argon2id at the OWASP Password Storage parameters (m=19456 KiB, t=2, p=1) or stronger. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

const ARGON2ID = 2;
/** How many recent imported-hash checks set the failure floor, and how long one counts. */
const IMPORTED_WINDOW = 64;
const IMPORTED_MEMORY_MS = 3_600_000;
/** Never hold a failure longer than this, whatever an imported format costs. */
const FLOOR_CAP_MS = 2_000;

export class PasswordHasher {
  private dummyHash: Promise<string>;
  /**
   * Hashes wait their turn here instead of in libuv's pool, which static files and the mail relay's DNS
   * share: during a sign-in flood those would otherwise queue behind every pending hash.
   */
  private readonly inTurn: LimitFunction;
  /** Durations (ms) of recent imported-hash checks, with when each ended (performance.now()). */
  private importedChecks: { ms: number; at: number }[] = [];
  constructor(
    readonly params: Argon2Params,
    concurrency: number,
  ) {
    this.inTurn = pLimit(concurrency);
    // Verified against for unknown accounts so that "no such account" costs the same as a wrong password.
    this.dummyHash = this.hash('mamori-dummy-password-for-uniform-timing');
  }

  /** Hashes waiting for their turn (a flood of sign-ins shows here before anywhere else). */
  get waiting(): number {
    return this.inTurn.pendingCount;
  }

  hash(password: string): Promise<string> {
    return this.inTurn(() => hash(password, { algorithm: ARGON2ID, ...this.params, outputLen: 32 }));
  }

  async verify(storedHash: string | null, password: string): Promise<boolean> {
    if (!storedHash) {
      const dummy = await this.dummyHash;
      await this.inTurn(() => verify(dummy, password)).catch(() => false);
      return false;
    }
    return this.inTurn(() => verify(storedHash, password)).catch(() => false);
  }

  /**
   * Checks a password with another verifier (an imported legacy hash) in the same queue as argon2, so a
   * flood of imported sign-ins waits its turn like native ones. `padToDummy` adds the dummy argon2 check
   * an unknown address costs, for verifiers that are much faster than it (unstretched digests), so the
   * answer's timing does not tell an imported address from an unknown one.
   */
  async verifyOther(check: () => Promise<boolean>, padToDummy: boolean): Promise<boolean> {
    const ok = await this.inTurn(async () => {
      const started = performance.now();
      try {
        return await check();
      } finally {
        this.noteImportedCheck(performance.now() - started);
      }
    }).catch(() => false);
    if (padToDummy) {
      const dummy = await this.dummyHash;
      await this.inTurn(() => verify(dummy, 'mamori-never-this-password')).catch(() => false);
    }
    return ok;
  }

  private noteImportedCheck(ms: number): void {
    const now = performance.now();
    this.importedChecks = [...this.importedChecks, { ms, at: now }]
      .filter((c) => now - c.at < IMPORTED_MEMORY_MS)
      .slice(-IMPORTED_WINDOW);
  }

  /**
   * How long a refused password check should take at least: the 90th percentile of recent imported-hash
   * checks (0 when none ran in the last hour). An imported format slower than argon2id (bcrypt at cost
   * 10, scrypt, PBKDF2) would otherwise answer a wrong password measurably later than an unknown address
   * or a native account does, telling who was imported and not yet signed in.
   */
  failureFloorMs(): number {
    if (this.importedChecks.length === 0) return 0;
    const sorted = this.importedChecks.map((c) => c.ms).sort((a, b) => a - b);
    const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? 0;
    return Math.min(p90, FLOOR_CAP_MS);
  }

  /** Holds a refused check started at `startedAt` (performance.now()) until the failure floor has passed. */
  async holdFailure(startedAt: number): Promise<void> {
    const wait = startedAt + this.failureFloorMs() - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** True when the stored hash was made with weaker parameters than today's (STANDARDS B2). */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    return Number(match[1]) < this.params.memoryCost || Number(match[2]) < this.params.timeCost;
  }
}
