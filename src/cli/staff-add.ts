import pino from 'pino';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { DomainError } from '../core/errors.ts';
import { composeMamori } from '../runtime/compose.ts';
import { addStaff } from '../services/support/staff-accounts.ts';
import { listStaff } from '../store/staff.ts';
import { parseOptions } from './options.ts';

const options = z.object({
  email: z.email({ error: '--email must be an email address' }),
  name: z
    .string({ error: '--name is required' })
    .trim()
    .min(1, '--name is required')
    .max(100, '--name is at most 100 characters'),
  role: z.enum(['agent', 'admin'], { error: '--role must be agent or admin' }).optional(),
});

/**
 * `mamori staff add --email … --name … [--role agent|admin]`: the first staff member is an admin.
 * Prints the password and the authenticator key once; they are not stored readable anywhere else.
 */
export async function staffAdd(
  config: Readonly<Config>,
  argv: string[],
  write: (line: string) => void,
): Promise<number> {
  const parsed = parseOptions(
    'staff add',
    'mamori staff add --email support@example.com --name "Aiko Tanaka" [--role agent|admin]',
    options,
    argv,
    write,
  );
  if (!parsed) return 2;
  const mamori = await composeMamori(config, { workerIntervalMs: 0, log: pino({ level: 'silent' }) });
  try {
    const first = (await listStaff(mamori.deps.db)).length === 0;
    const role = parsed.role ?? (first ? 'admin' : 'agent');
    const created = await addStaff(mamori.deps, { email: parsed.email, name: parsed.name, role });
    write(`Staff member added: ${parsed.email} (${role})`);
    write(`Password (shown once): ${created.password}`);
    write(`Authenticator key (shown once): ${created.totpSecret}`);
    write(`  or scan: ${created.totpUri}`);
    write(`Sign in at ${config.publicUrl}/staff/sign-in with the password and a code from the authenticator.`);
    return 0;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'EMAIL_UNAVAILABLE') {
      write(`mamori staff add: ${parsed.email} is already a staff member.`);
      return 1;
    }
    throw error;
  } finally {
    await mamori.close();
  }
}
