import { SessionConflictError, type SessionStore } from '../store/ports';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';
import type { ReportQueue } from './ports';
import { loadForCaller } from './sessionAccess';

/**
 * Retry on a failed session (its card, or the sessions list in whichever chat the technician opened it):
 * the same report, the same id, queued again, with a new retry window.
 */
export class RetryReport {
  constructor(
    private readonly store: SessionStore,
    private readonly queue: ReportQueue,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(caller: Caller, sessionId: unknown): Promise<SessionOutcome> {
    const access = await loadForCaller(this.store, caller, sessionId, { anyConversation: true });
    if (access.kind !== 'ok') return access;
    const { session, etag } = access.stored;
    if (session.state !== 'failed' || !session.report) return { kind: 'closed', session };
    await this.queue.enqueue(session.id);
    try {
      // The session's own card shows the outcome, whichever card (its record, the sessions list) was clicked.
      const stamp = this.now().toISOString();
      const retried = await this.store.replace({ ...session, state: 'submitted', failure: undefined, nextAttemptAt: undefined, submittedAt: stamp, updatedAt: stamp }, etag);
      return { kind: 'closed', session: retried.session };
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
      const current = await this.store.get(session.id);
      return current ? { kind: 'closed', session: current.session } : { kind: 'unknown' };
    }
  }
}
