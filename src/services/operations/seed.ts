import { createHash } from 'node:crypto';
import { canonicalEntry, GENESIS_HASH } from '../../core/account-log.ts';
import type { ChangeKind, ChangeRecord, ChangeValue } from '../../core/change-kinds.ts';
import { hashToken } from '../../platform/token-hash.ts';
import type { Db, Executor } from '../../store/database.ts';
import { sha256Hex } from '../account-log/change-log.ts';

/**
 * Seeding a large store for the scale bench (issue 16): accounts with a session, a known browser and a
 * hash-chained log of changes each, written a batch of accounts per transaction so a run can stop at
 * any point and resume where it left off. Every seeded account shares one password hash (hashing a
 * million passwords would take hours) and its session token can be derived by the bench.
 */
export const SEED_DOMAIN = 'seed.example';
export const SEED_PASSWORD = 'seeded account passphrase for the bench';

const uuid = (prefix: string, index: number) => `${prefix}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
export const seededAccountId = (index: number) => uuid('5eed0000', index);
export const seededEmail = (index: number) => `seed${index}@${SEED_DOMAIN}`;
/** The session cookie value of a seeded account (43 base64url characters, as issued tokens are). */
export const seededSessionToken = (index: number) =>
  createHash('sha256').update(`mamori-seed-session:${index}`).digest('base64url');
/** The device cookie of a seeded account's own browser: a sign-in the bench makes with it comes from home. */
export const seededDeviceCookie = (index: number) =>
  createHash('sha256').update(`mamori-seed-device:${index}`).digest('base64url');
const seededDeviceId = (index: number) => hashToken(seededDeviceCookie(index));

export interface SeedPlan {
  accounts: number;
  changes: number;
  /** Accounts per transaction. */
  batch: number;
}

export interface SeedProgress {
  accounts: number;
  changes: number;
  rowsPerSecond: number;
}

const CHANGE_CYCLE: { kind: ChangeKind; value: (i: number, n: number) => ChangeValue }[] = [
  { kind: 'new-device-sign-in', value: () => ({ device: 'Safari 17 · macOS' }) },
  { kind: 'name-changed', value: (i, n) => ({ name: `Seeded Customer ${i}-${n}` }) },
  {
    kind: 'address-added',
    value: (i, n) => ({ city: 'Chiyoda', postal_code: '100-0001', region: 'Tokyo', line1: `${n}-${i}` }),
  },
  { kind: 'phone-changed', value: (i, n) => ({ phone: `+8190${String((i * 31 + n) % 100000000).padStart(8, '0')}` }) },
  { kind: 'subscription-changed', value: () => ({ plan: 'Tea of the month', interval: 'monthly', status: 'active' }) },
];

/** Columns per row decide how many rows fit one statement: PostgreSQL takes 65,535 parameters, SQLite 32,766. */
async function insertChunked<T extends 'accounts' | 'account_log' | 'sessions' | 'known_devices'>(
  trx: Executor,
  table: T,
  rows: Record<string, unknown>[],
): Promise<void> {
  const columns = Object.keys(rows[0] ?? {}).length || 1;
  const size = Math.max(1, Math.floor(30_000 / columns));
  for (let i = 0; i < rows.length; i += size)
    // The rows are built below with exactly the table's columns.
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
}

export async function seededSoFar(db: Db): Promise<number> {
  const row = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('email', 'like', `%@${SEED_DOMAIN}`)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function seedStore(
  deps: { db: Db; passwordHash: string; now: Date },
  plan: SeedPlan,
  onProgress: (progress: SeedProgress) => void = () => undefined,
): Promise<{ accounts: number; changes: number; resumedAt: number }> {
  const resumedAt = await seededSoFar(deps.db);
  const perAccount = (index: number) =>
    Math.floor(plan.changes / plan.accounts) + (index < plan.changes % plan.accounts ? 1 : 0);
  let changesSoFar = 0;
  for (let i = 0; i < resumedAt; i += 1) changesSoFar += perAccount(i);
  const started = performance.now();
  let written = 0;
  const base = deps.now.getTime() - 400 * 86_400_000;

  for (let first = resumedAt; first < plan.accounts; first += plan.batch) {
    const last = Math.min(plan.accounts, first + plan.batch);
    const accounts: Record<string, unknown>[] = [];
    const log: Record<string, unknown>[] = [];
    const sessions: Record<string, unknown>[] = [];
    const devices: Record<string, unknown>[] = [];
    for (let index = first; index < last; index += 1) {
      const id = seededAccountId(index);
      const sessionId = uuid('5e551000', index);
      const deviceId = seededDeviceId(index);
      const createdAt = new Date(base + index * 1000).toISOString();
      const actor = {
        type: 'customer' as const,
        sessionId,
        deviceId,
        device: 'Safari 17 · macOS',
        ip: '198.51.100.7',
        area: 'JP',
      };
      let previousHash = GENESIS_HASH;
      const count = perAccount(index);
      for (let n = 1; n <= count; n += 1) {
        const change = CHANGE_CYCLE[(n - 1) % CHANGE_CYCLE.length] ?? CHANGE_CYCLE[0];
        if (!change) break;
        const record: ChangeRecord = {
          id: uuid(`c${(n % 0x10000000).toString(16).padStart(7, '0')}`, index),
          accountId: id,
          seq: n,
          kind: change.kind,
          subjectId: null,
          before: null,
          after: change.value(index, n),
          actor,
          occurredAt: new Date(base + index * 1000 + n * 60_000).toISOString(),
        };
        const hash = sha256Hex(canonicalEntry(record, previousHash));
        log.push({
          id: record.id,
          account_id: id,
          seq: n,
          kind: record.kind,
          subject_id: null,
          before_value: null,
          after_value: JSON.stringify(record.after),
          actor_type: actor.type,
          actor_session_id: actor.sessionId,
          actor_device_id: actor.deviceId,
          actor_device: actor.device,
          actor_ip: actor.ip,
          actor_area: actor.area,
          occurred_at: record.occurredAt,
          previous_hash: previousHash,
          hash,
        });
        previousHash = hash;
      }
      accounts.push({
        id,
        email: seededEmail(index),
        email_verified_at: createdAt,
        password_hash: deps.passwordHash,
        password_disabled_at: null,
        name: `Seeded Customer ${index}`,
        phone: null,
        locale: index % 2 === 0 ? 'ja' : 'en',
        status: 'active',
        created_at: createdAt,
        updated_at: createdAt,
        log_seq: count,
        log_head: previousHash,
      });
      const now = deps.now.toISOString();
      sessions.push({
        id: sessionId,
        token_hash: hashToken(seededSessionToken(index)),
        account_id: id,
        device_label: 'Safari 17 · macOS',
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15',
        ip: '198.51.100.7',
        area: 'JP',
        created_at: now,
        last_seen_at: now,
        authenticated_at: now,
        revoked_at: null,
        revoke_reason: null,
        device_id: deviceId,
      });
      devices.push({ account_id: id, device_id: deviceId, first_seen_at: createdAt });
    }
    await deps.db.transaction().execute(async (trx) => {
      await insertChunked(trx, 'accounts', accounts);
      await insertChunked(trx, 'account_log', log);
      await insertChunked(trx, 'sessions', sessions);
      await insertChunked(trx, 'known_devices', devices);
    });
    written += accounts.length + log.length + sessions.length + devices.length;
    changesSoFar += log.length;
    onProgress({
      accounts: last,
      changes: changesSoFar,
      rowsPerSecond: written / ((performance.now() - started) / 1000),
    });
  }
  return { accounts: plan.accounts, changes: changesSoFar, resumedAt };
}
