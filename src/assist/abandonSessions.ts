import type { Logger } from '../log';
import { SessionConflictError, type SessionStore } from '../store/ports';

/** Most `requested` sessions looked at per sweep. */
const BATCH = 500;

/**
 * Closes sessions left `requested` (Intune was asked, the session was never logged) for `afterHours` since
 * their last change: they become `cancelled` with `abandonedAt`, so they no longer wait in the technician's
 * `sessions` list and nothing is reported for them. Each is written only at the version read: a technician
 * who submits or cancels meanwhile wins, and of several instances one closes it.
 */
export class AbandonSessions {
  constructor(
    private readonly store: SessionStore,
    private readonly afterHours: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(): Promise<number> {
    if (this.afterHours <= 0) return 0;
    const now = this.now();
    const due = now.getTime() - this.afterHours * 3600_000;
    let closed = 0;
    for (const { session, etag } of await this.store.listInState('requested', BATCH)) {
      if (session.state !== 'requested' || !(Date.parse(session.updatedAt) <= due)) continue;
      const stamp = now.toISOString();
      try {
        await this.store.replace({ ...session, state: 'cancelled', cancelledAt: stamp, abandonedAt: stamp, updatedAt: stamp }, etag);
      } catch (error) {
        if (error instanceof SessionConflictError) continue;
        throw error;
      }
      closed++;
      this.log.info({ sessionId: session.id, since: session.updatedAt }, 'session left requested closed as abandoned');
    }
    return closed;
  }
}
