import type { OnceLedger, PendingRequest, PendingSignIns } from '../ports';
import type { Db } from './database';
import type { Guard } from './guard';


export class SqliteOnceLedger implements OnceLedger {
  private readonly statements;

  constructor(db: Db, private readonly guard: Guard, private readonly now: () => number) {
    this.statements = {
      claim: db.prepare('INSERT INTO once_claims (key, claimed_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      release: db.prepare('DELETE FROM once_claims WHERE key = ?'),
    };
  }

  claim(key: string): Promise<boolean> {
    return this.guard(() => this.statements.claim.run(key, this.now()).changes === 1);
  }

  async release(key: string): Promise<void> {
    // Best effort, as on Azure: a claim left behind only blocks a repeat until it expires.
    await this.guard(() => this.statements.release.run(key)).catch(() => undefined);
  }
}

/** Parked sign-in requests; the row version plays the ETag, so a take succeeds once. */
export class SqlitePendingSignIns implements PendingSignIns {
  private readonly statements;

  constructor(db: Db, private readonly guard: Guard, private readonly now: () => number) {
    this.statements = {
      save: db.prepare(`INSERT INTO pending_sign_ins (exchange_id, version, saved_at, body) VALUES (@id, 1, @at, @body)
        ON CONFLICT (exchange_id) DO UPDATE SET version = version + 1, saved_at = @at, body = @body`),
      read: db.prepare<[string], { version: number; body: string }>('SELECT version, body FROM pending_sign_ins WHERE exchange_id = ?'),
      take: db.prepare('DELETE FROM pending_sign_ins WHERE exchange_id = ? AND version = ?'),
    };
  }

  save(pending: PendingRequest): Promise<void> {
    return this.guard(() => {
      this.statements.save.run({ id: pending.exchangeId, at: this.now(), body: JSON.stringify(pending) });
    });
  }

  read(exchangeId: string): Promise<{ pending: PendingRequest; etag: string } | undefined> {
    return this.guard(() => {
      const row = this.statements.read.get(exchangeId);
      return row && { pending: JSON.parse(row.body) as PendingRequest, etag: String(row.version) };
    });
  }

  take(exchangeId: string, etag: string): Promise<boolean> {
    return this.guard(() => this.statements.take.run(exchangeId, Number(etag)).changes === 1);
  }
}
