import type { BudgetTake, WriteBudgetLedger } from '../ports';
import type { Db } from './database';
import type { Guard } from './guard';

/** The writes of the last window as rows; one immediate transaction counts and records, so processes agree. */
export class SqliteWriteBudget implements WriteBudgetLedger {
  private readonly takeSome: (limit: number, windowMs: number, now: number, count: number, heldUntil: number) => BudgetTake;
  private readonly settleAll: (writes: Array<{ recorded: number; at: number }>) => void;

  constructor(db: Db, private readonly guard: Guard) {
    const prune = db.prepare('DELETE FROM intune_writes WHERE at <= ?');
    const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM intune_writes');
    const oldest = db.prepare<[], { at: number | null }>('SELECT min(at) AS at FROM intune_writes');
    const record = db.prepare('INSERT INTO intune_writes (at) VALUES (?)');
    const move = db.prepare('UPDATE intune_writes SET at = ? WHERE id = (SELECT id FROM intune_writes WHERE at = ? LIMIT 1)');
    const take = db.transaction((limit: number, windowMs: number, now: number, wanted: number, heldUntil: number): BudgetTake => {
      prune.run(now - windowMs);
      const taken = Math.max(0, Math.min(wanted, limit - count.get()!.n));
      for (let i = 0; i < taken; i++) record.run(heldUntil);
      if (taken === wanted) return { taken };
      return { taken, at: (oldest.get()!.at ?? now) + windowMs };
    });
    const settle = db.transaction((writes: Array<{ recorded: number; at: number }>) => {
      for (const w of writes) move.run(w.at, w.recorded);
    });
    this.takeSome = (limit, windowMs, now, wanted, heldUntil) => take.immediate(limit, windowMs, now, wanted, heldUntil);
    this.settleAll = (writes) => settle.immediate(writes);
  }

  take(limit: number, windowMs: number, now: number, count: number, heldUntil: number): Promise<BudgetTake> {
    return this.guard(() => this.takeSome(limit, windowMs, now, count, heldUntil));
  }

  settle(writes: Array<{ recorded: number; at: number }>): Promise<void> {
    return this.guard(() => this.settleAll(writes));
  }
}
