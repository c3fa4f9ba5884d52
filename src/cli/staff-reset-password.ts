import pino from 'pino';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { DomainError } from '../core/errors.ts';
import { composeMamori } from '../runtime/compose.ts';
import { resetStaffPassword } from '../services/support/staff-accounts.ts';
import { parseOptions } from './options.ts';

const options = z.object({ email: z.email({ error: '--email must be an email address' }) });

/**
 * `mamori staff reset-password --email …`: a new generated password for a staff member (after the
 * 100-failure cap switched theirs off, or a suspected leak), printed once; their sessions end.
 */
export async function staffResetPassword(
  config: Readonly<Config>,
  argv: string[],
  write: (line: string) => void,
): Promise<number> {
  const parsed = parseOptions(
    'staff reset-password',
    'mamori staff reset-password --email support@example.com',
    options,
    argv,
    write,
  );
  if (!parsed) return 2;
  const { email } = parsed;
  const mamori = await composeMamori(config, { workerIntervalMs: 0, log: pino({ level: 'silent' }) });
  try {
    const password = await resetStaffPassword(mamori.deps, email);
    write(`New password for ${email} (shown once): ${password}`);
    write('Every session of this member was ended; the authenticator stays as it was.');
    return 0;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') {
      write(`mamori staff reset-password: no staff member has the address ${email}.`);
      return 1;
    }
    throw error;
  } finally {
    await mamori.close();
  }
}
