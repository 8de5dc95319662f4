import type { Logger } from '../log';
import { SessionConflictError, type SessionStore } from '../store/ports';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';
import { loadForCaller } from './sessionAccess';

/** Cancel on the session card: nothing is reported, and the card becomes a record of the cancellation. */
export class CancelSession {
  constructor(
    private readonly store: SessionStore,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(caller: Caller, sessionId: unknown, attempts = 3): Promise<SessionOutcome> {
    const access = await loadForCaller(this.store, caller, sessionId);
    if (access.kind !== 'ok') return access;
    const { session, etag } = access.stored;
    if (session.state !== 'requested') return { kind: 'closed', session };
    const stamp = this.now().toISOString();
    try {
      const cancelled = await this.store.replace({ ...session, state: 'cancelled', cancelledAt: stamp, updatedAt: stamp }, etag);
      this.log.info({ sessionId: session.id }, 'session cancelled');
      return { kind: 'closed', session: cancelled.session };
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
      // Someone else moved it first (a submit, another click): decide again on where it stands now.
      if (attempts <= 1) throw error;
      return this.run(caller, sessionId, attempts - 1);
    }
  }
}
