import type { Logger } from '../log';
import type { SessionStore } from '../store/ports';

/** Most sessions deleted per round; a round that deletes this many is followed by another at the next sweep. */
const BATCH = 500;
/** Retention is checked at most this often when the last round found nothing more to delete. */
const QUIET_INTERVAL_MS = 3600_000;

/**
 * Retention: session records name employees and their devices, so each is deleted `retentionDays` after it
 * was created, whatever its state, from whichever store holds it. Safe with several instances: each deletes
 * a session only at the version it read, and a second deleter finds it gone. 0 days: kept for ever.
 */
export class ExpireSessions {
  private nextRunAt = 0;

  constructor(
    private readonly store: SessionStore,
    private readonly retentionDays: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(): Promise<number> {
    const now = this.now().getTime();
    if (this.retentionDays <= 0 || now < this.nextRunAt) return 0;
    const cutOff = new Date(now - this.retentionDays * 86_400_000);
    const deleted = await this.store.deleteCreatedBefore(cutOff, BATCH);
    this.nextRunAt = deleted >= BATCH ? 0 : now + QUIET_INTERVAL_MS;
    if (deleted) this.log.info({ deleted, before: cutOff.toISOString(), retentionDays: this.retentionDays }, 'sessions past their retention deleted');
    return deleted;
  }
}
