import type { Session } from '../sessions/session';
import type { SessionStore } from '../store/ports';
import type { Caller } from './caller';
import { postedHere, SESSION_ID } from './sessionAccess';
import { defaultInputs, type SessionInputs } from './sessionInput';

export type View =
  /** The technician of a session still open: their form. */
  | { kind: 'form'; session: Session; inputs: SessionInputs }
  /** Anyone else, or a session that has moved on: where it stands, read-only. */
  | { kind: 'status'; session: Session }
  | { kind: 'unknown' };

/**
 * A card's automatic refresh (Universal Actions): each viewer's own version of a shared session card. It
 * only reads; answering a refresh never sends or changes anything.
 */
export class ViewSession {
  constructor(private readonly store: SessionStore) {}

  async run(caller: Caller, sessionId: unknown): Promise<View> {
    if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return { kind: 'unknown' };
    const session = (await this.store.get(sessionId))?.session;
    if (!session || session.tenantId !== caller.tenantId) return { kind: 'unknown' };
    // Only in the chat the card was posted to (or, for a request, the requester's own chat).
    if (!postedHere(session, caller)) return { kind: 'unknown' };
    if (session.state === 'requested' && session.technician.aadObjectId === caller.aadObjectId) {
      return { kind: 'form', session, inputs: defaultInputs(session.helperDevices) };
    }
    return { kind: 'status', session };
  }
}
