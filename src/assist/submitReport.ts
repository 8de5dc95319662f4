import { SessionConflictError, type SessionStore, type StoredSession } from '../store/ports';
import type { CardAddress } from '../sessions/session';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';
import type { ReportQueue } from './ports';
import { loadForCaller } from './sessionAccess';
import { readInputs, validateInputs, type SessionInputs } from './sessionInput';

/**
 * Submit on the session card: validate, queue the report, mark the session submitted. The turn ends at
 * once with "Sending the report…"; the report worker talks to Graph and updates the card.
 */
export class SubmitReport {
  constructor(
    private readonly store: SessionStore,
    private readonly queue: ReportQueue,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(caller: Caller, sessionId: unknown, data: unknown, card: CardAddress): Promise<SessionOutcome> {
    const access = await loadForCaller(this.store, caller, sessionId);
    if (access.kind !== 'ok') return access;
    const { session, etag } = access.stored;
    if (session.state !== 'requested') return { kind: 'closed', session };

    const inputs = readInputs(data);
    const validation = validateInputs(inputs, session.timeZone, session.helperDevices, this.now(), new Date(session.createdAt));
    if (!validation.ok) return { kind: 'open', session, inputs, errors: validation.errors };

    // Queue first: a message whose session never became `submitted` is dropped by the worker, whereas
    // a `submitted` session with no message would wait forever.
    await this.queue.enqueue(session.id);
    let submitted: StoredSession;
    try {
      // The conditional write is the lock: of two clicks or two instances, only one gets past it.
      const stamp = this.now().toISOString();
      submitted = await this.store.replace(
        { ...session, state: 'submitted', report: validation.report, card, failure: undefined, submittedAt: stamp, updatedAt: stamp },
        etag,
      );
    } catch (error) {
      if (error instanceof SessionConflictError) return this.trueState(session.id, inputs);
      throw error;
    }
    return { kind: 'closed', session: submitted.session };
  }

  private async trueState(sessionId: string, inputs: SessionInputs): Promise<SessionOutcome> {
    const current = await this.store.get(sessionId);
    if (!current) return { kind: 'unknown' };
    const session = current.session;
    return session.state === 'requested' ? { kind: 'open', session, inputs, errors: [] } : { kind: 'closed', session };
  }
}
