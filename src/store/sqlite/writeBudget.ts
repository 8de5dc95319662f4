import type { BudgetTake, WriteBudgetLedger } from '../ports';
import type { Db } from './database';
import type { Guard } from './guard';

/** The writes of the last window as rows; one immediate transaction counts and records, so processes agree. */
export class SqliteWriteBudget implements WriteBudgetLedger {
  private readonly takeOne: (limit: number, windowMs: number, now: number) => BudgetTake;

  constructor(db: Db, private readonly guard: Guard) {
    const prune = db.prepare('DELETE FROM intune_writes WHERE at <= ?');
    const count = db.prepare<[], { n: number; oldest: number | null }>('SELECT count(*) AS n, min(at) AS oldest FROM intune_writes');
    const record = db.prepare('INSERT INTO intune_writes (at) VALUES (?)');
    const transaction = db.transaction((limit: number, windowMs: number, now: number): BudgetTake => {
      prune.run(now - windowMs);
      const { n, oldest } = count.get()!;
      if (n >= limit) return { taken: false, at: (oldest ?? now) + windowMs };
      record.run(now);
      return { taken: true };
    });
    this.takeOne = (limit, windowMs, now) => transaction.immediate(limit, windowMs, now);
  }

  take(limit: number, windowMs: number, now: number): Promise<BudgetTake> {
    return this.guard(() => this.takeOne(limit, windowMs, now));
  }
}
