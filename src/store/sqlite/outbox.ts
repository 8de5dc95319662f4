import type { OutboxMessage, OutboxStats, ReportOutbox } from '../ports';
import type { Db } from './database';
import type { Guard } from './guard';

interface Row { id: number; session_id: string; deliveries: number; receipt: string }

/**
 * The report queue as a table, with the semantics of an Azure Storage queue: a received message is hidden
 * until `visible_at`, each receipt counts a delivery, and only the latest receipt may settle it.
 */
export class SqliteOutbox implements ReportOutbox {
  private readonly statements;

  constructor(db: Db, private readonly guard: Guard, private readonly now: () => number) {
    this.statements = {
      enqueue: db.prepare('INSERT INTO outbox (session_id, visible_at, queued_at) VALUES (?, ?, ?)'),
      stats: db.prepare<[], { depth: number; oldest: number | null }>('SELECT count(*) AS depth, min(coalesce(queued_at, visible_at)) AS oldest FROM outbox'),
      // One statement: of two processes receiving at once, each row goes to exactly one.
      receive: db.prepare<[number, number, number], Row>(`UPDATE outbox
        SET visible_at = ?, deliveries = deliveries + 1, receipt = lower(hex(randomblob(12)))
        WHERE id IN (SELECT id FROM outbox WHERE visible_at <= ? ORDER BY visible_at, id LIMIT ?)
        RETURNING id, session_id, deliveries, receipt`),
      complete: db.prepare('DELETE FROM outbox WHERE id = ? AND receipt = ?'),
      retryLater: db.prepare('UPDATE outbox SET visible_at = ?, receipt = NULL WHERE id = ? AND receipt = ?'),
    };
  }

  enqueue(sessionId: string, delaySec = 0): Promise<void> {
    return this.guard(() => {
      const now = this.now();
      this.statements.enqueue.run(sessionId, now + Math.max(0, delaySec) * 1000, now);
    });
  }

  receive(max: number, visibilityTimeoutSec: number): Promise<OutboxMessage[]> {
    return this.guard(() => {
      const now = this.now();
      const rows = this.statements.receive.all(now + Math.max(1, visibilityTimeoutSec) * 1000, now, Math.max(1, Math.floor(max)));
      return rows
        .sort((a, b) => a.id - b.id)
        .map((row) => ({ sessionId: row.session_id, attempt: row.deliveries, messageId: String(row.id), popReceipt: row.receipt }));
    });
  }

  complete(message: OutboxMessage): Promise<void> {
    return this.guard(() => {
      this.statements.complete.run(Number(message.messageId), message.popReceipt);
    });
  }

  retryLater(message: OutboxMessage, delaySec: number): Promise<void> {
    return this.guard(() => {
      this.statements.retryLater.run(this.now() + Math.max(0, delaySec) * 1000, Number(message.messageId), message.popReceipt);
    });
  }

  stats(): Promise<OutboxStats> {
    return this.guard(() => {
      const { depth, oldest } = this.statements.stats.get()!;
      return { depth, oldestAgeSec: oldest === null ? 0 : Math.max(0, Math.round((this.now() - oldest) / 1000)) };
    });
  }
}
