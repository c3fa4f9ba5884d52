import type { Adapter, AdapterPayload } from 'oidc-provider';
import { couldBeIssuedId } from '../../core/oidc/lookup-keys.ts';
import {
  consumeOidcPayload,
  consumeOidcPayloadNow,
  destroyOidcGrant,
  destroyOidcPayload,
  destroyOidcPayloadNow,
  findOidcPayload,
  sweepExpiredOidcPayloads,
  upsertOidcPayload,
  upsertOidcPayloadNow,
  type FoundOidcPayload,
} from '../../store/oidc-payloads.ts';
import { groupCommit, writeTogether, type Commit } from '../../store/group-commit.ts';
import { recordShopCustomer, recordShopCustomerNow } from '../../store/shop-customers.ts';
import { linkOidcSession, linkOidcSessionNow } from '../../store/oidc-session-links.ts';
import { linkOfSessionSave } from './session-link-at-save.ts';
import type { AtOnce } from '../../store/database.ts';
import type { ServiceDeps } from '../deps.ts';
import { ClientAdapter, type ClientDeps, type ClientRowFinder } from './clients.ts';

/** The provider's artefacts persist in the store like everything else (DESIGN 1), on SQLite and PostgreSQL alike. */
export type OidcAdapterDeps = Pick<ServiceDeps, 'db' | 'clock'>;

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

function toPayload(row: FoundOidcPayload | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  return row.consumed_at ? { ...payload, consumed: seconds(new Date(row.consumed_at)) } : payload;
}

/** From a grant: the shop, the account that signed in to it, and whether it granted the shop its address. */
function shopCustomerOf(payload: AdapterPayload, at: string) {
  const { accountId, clientId } = payload;
  if (typeof accountId !== 'string' || typeof clientId !== 'string') return null;
  const openid = payload.openid as { scope?: unknown; claims?: unknown } | undefined;
  const scope = typeof openid?.scope === 'string' ? openid.scope.split(' ') : [];
  const claims = Array.isArray(openid?.claims) ? openid.claims : [];
  return { clientId, accountId, emailGranted: scope.includes('email') || claims.includes('email'), at };
}

/**
 * Every write goes through one group commit (store/group-commit.ts), in the order the provider made them.
 * oidc-provider's adapter contract over one table: one instance per model (`kind`), time from the
 * injected clock, an expired row is as good as gone (and the worker sweeps it), and revoking a grant
 * removes every code and token issued under it.
 */
export class KyselyOidcAdapter implements Adapter {
  constructor(
    private readonly deps: OidcAdapterDeps,
    private readonly kind: string,
    private readonly commit: Commit,
  ) {}

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt =
      typeof expiresIn === 'number' ? new Date(this.deps.clock.now().getTime() + expiresIn * 1000).toISOString() : null;
    const row = {
      kind: this.kind,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      expires_at: expiresAt,
      consumed_at: null,
      account_id: typeof payload.accountId === 'string' ? payload.accountId : null,
      client_id: typeof payload.clientId === 'string' ? payload.clientId : null,
    };
    const customer = this.kind === 'Grant' ? shopCustomerOf(payload, this.now()) : null;
    const link = this.kind === 'Session' ? linkOfSessionSave(payload.uid) : undefined;
    // Grants go when an account is contained; that the account signed in to the shop stays (issue 24). The
    // login check's link to a Mamori session is written with the session it names (session-link-at-save.ts).
    const now = (atOnce: AtOnce) => {
      upsertOidcPayloadNow(atOnce, row);
      if (customer) recordShopCustomerNow(atOnce, customer);
      if (link) linkOidcSessionNow(atOnce, link);
    };
    if (!customer && !link) return this.commit((trx) => upsertOidcPayload(trx, row), now);
    await this.commit(
      (trx) =>
        writeTogether(trx, now, async (inOne) => {
          await upsertOidcPayload(inOne, row);
          if (customer) await recordShopCustomer(inOne, customer);
          if (link) await linkOidcSession(inOne, link);
        }),
      now,
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (!couldBeIssuedId(id)) return undefined;
    return toPayload(await findOidcPayload(this.deps.db, this.kind, { id }, this.now()));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (!couldBeIssuedId(uid)) return undefined;
    return toPayload(await findOidcPayload(this.deps.db, this.kind, { uid }, this.now()));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (!couldBeIssuedId(userCode)) return undefined;
    return toPayload(await findOidcPayload(this.deps.db, this.kind, { userCode }, this.now()));
  }

  async consume(id: string): Promise<void> {
    if (!couldBeIssuedId(id)) return;
    const at = this.now();
    await this.commit(
      (trx) => consumeOidcPayload(trx, this.kind, id, at),
      (atOnce) => consumeOidcPayloadNow(atOnce, this.kind, id, at),
    );
  }

  async destroy(id: string): Promise<void> {
    if (!couldBeIssuedId(id)) return;
    await this.commit(
      (trx) => destroyOidcPayload(trx, this.kind, id),
      (atOnce) => destroyOidcPayloadNow(atOnce, this.kind, id),
    );
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    if (couldBeIssuedId(grantId)) await this.commit((trx) => destroyOidcGrant(trx, grantId));
  }
}

export type { Commit };

/** The group commit a provider's requests write through: its codes and tokens, its client-authentication counts. */
export function providerCommit(deps: Pick<OidcAdapterDeps, 'db'>): Commit {
  return groupCommit(deps.db);
}

/**
 * What the provider's `adapter` option takes: a factory that makes one adapter per model. One group commit
 * for every model (an exchange's consumed code and its new tokens can share a commit), given by the
 * caller when other writes of the provider's requests join it.
 */
export function oidcAdapterFactory(
  deps: ClientDeps,
  commit: Commit = groupCommit(deps.db),
  findClientRow?: ClientRowFinder,
): (kind: string) => Adapter {
  return (kind) =>
    kind === 'Client' ? new ClientAdapter(deps, findClientRow) : new KyselyOidcAdapter(deps, kind, commit);
}

/** Worker tick: expired provider rows go, a bounded page at a time. */
export function sweepExpiredOidc(deps: OidcAdapterDeps): Promise<number> {
  return sweepExpiredOidcPayloads(deps.db, deps.clock.now().toISOString(), 500);
}
