import { SessionConflictError, type SessionStore } from '../store/ports';
import type { CardAddress, Session } from '../sessions/session';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';
import type { ReportQueue } from './ports';
import { loadForCaller } from './sessionAccess';
import { readInputs, validateInputs, type SessionInputs } from './sessionInput';

/** A submit that keeps meeting writes that leave the session open gives up after this many tries. */
const MAX_WRITE_ATTEMPTS = 3;

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
    const { session } = access.stored;
    if (session.state !== 'requested') return { kind: 'closed', session };

    const inputs = readInputs(data);
    const validation = validateInputs(inputs, session.timeZone, session.helperDevices, this.now(), new Date(session.createdAt));
    if (!validation.ok) return { kind: 'open', session, inputs, errors: validation.errors };

    // Queue first: a message whose session never became `submitted` is dropped by the worker, whereas
    // a `submitted` session with no message would wait forever.
    await this.queue.enqueue(session.id);
    let current = access.stored;
    for (let attempt = 1; ; attempt++) {
      try {
        // The conditional write is the lock: of two clicks or two instances, only one gets past it.
        const stamp = this.now().toISOString();
        const submitted = await this.store.replace(
          { ...current.session, state: 'submitted', report: validation.report, card, failure: undefined, submittedAt: stamp, updatedAt: stamp },
          current.etag,
        );
        return { kind: 'closed', session: submitted.session };
      } catch (error) {
        if (!(error instanceof SessionConflictError)) throw error;
        const fresh = await this.store.get(session.id);
        if (!fresh) return { kind: 'unknown' };
        // A change that left the session open (Intune's session link being recorded) is no reason to turn
        // the click down: submit again on top of it. Anything else was another click, and it won.
        if (fresh.session.state !== 'requested' || attempt >= MAX_WRITE_ATTEMPTS) return trueState(fresh.session, inputs);
        current = fresh;
      }
    }
  }
}

/** The card to answer with after losing a race: the form with what was typed, or the record. */
function trueState(session: Session, inputs: SessionInputs): SessionOutcome {
  return session.state === 'requested' ? { kind: 'open', session, inputs, errors: [] } : { kind: 'closed', session };
}
