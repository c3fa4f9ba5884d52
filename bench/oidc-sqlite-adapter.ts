// The bare provider's durable store: oidc-provider's adapter contract on one better-sqlite3 table, each
// write its own statement and so its own commit, in the shape of the adapter examples in oidc-provider's
// repository (example/adapters: one row per model and id, the payload as JSON, grantId/uid/userCode
// beside it for the lookups the contract asks for). Same pragmas as Mamori's SQLite store (WAL,
// synchronous NORMAL), so the two differ in how they write, not in how durable a commit is.
import Database from 'better-sqlite3';
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Row = { payload: string; expires_at: number | null; consumed_at: number | null };

export function sqliteAdapter(file: string): new (kind: string) => Adapter {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS oidc (
    kind TEXT NOT NULL, id TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, uid TEXT, user_code TEXT,
    expires_at INTEGER, consumed_at INTEGER, PRIMARY KEY (kind, id));
    CREATE INDEX IF NOT EXISTS oidc_grant ON oidc (grant_id);
    CREATE INDEX IF NOT EXISTS oidc_uid ON oidc (uid);
    CREATE INDEX IF NOT EXISTS oidc_user_code ON oidc (user_code);`);
  const upsert = db.prepare(
    `INSERT INTO oidc (kind, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
  );
  const by = (column: 'id' | 'uid' | 'user_code') =>
    db.prepare<[string, string], Row>(
      `SELECT payload, expires_at, consumed_at FROM oidc WHERE kind = ? AND ${column} = ?`,
    );
  const byId = by('id');
  const byUid = by('uid');
  const byUserCode = by('user_code');
  const consume = db.prepare('UPDATE oidc SET consumed_at = ? WHERE kind = ? AND id = ?');
  const destroy = db.prepare('DELETE FROM oidc WHERE kind = ? AND id = ?');
  const revoke = db.prepare('DELETE FROM oidc WHERE grant_id = ?');
  const now = () => Math.floor(Date.now() / 1000);
  const live = (row: Row | undefined): AdapterPayload | undefined => {
    if (!row || (row.expires_at !== null && row.expires_at <= now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at === null ? payload : { ...payload, consumed: row.consumed_at };
  };

  return class SqliteAdapter implements Adapter {
    constructor(private readonly kind: string) {}
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expires = typeof expiresIn === 'number' ? now() + expiresIn : null;
      upsert.run(
        this.kind,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        expires,
      );
    }
    async find(id: string) {
      return live(byId.get(this.kind, id));
    }
    async findByUid(uid: string) {
      return live(byUid.get(this.kind, uid));
    }
    async findByUserCode(userCode: string) {
      return live(byUserCode.get(this.kind, userCode));
    }
    async consume(id: string): Promise<void> {
      consume.run(now(), this.kind, id);
    }
    async destroy(id: string): Promise<void> {
      destroy.run(this.kind, id);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      revoke.run(grantId);
    }
  };
}
