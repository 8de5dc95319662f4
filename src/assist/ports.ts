import type { CardAddress, Session } from '../sessions/session';

/** The report outbox as the use cases see it: a durable queue of session ids. */
export interface ReportQueue {
  enqueue(sessionId: string, delaySec?: number): Promise<void>;
}

/** Shows a session's current state on its card in the chat, outside any turn (the report worker's voice). */
export interface SessionCards {
  show(session: Session): Promise<void>;
}

/** The cards and messages of a request from the person who needs help, outside any turn. */
export interface RequestNotices {
  /** Posts the request card to the helpdesk channel; undefined when none is configured. */
  postToHelpdesk(session: Session): Promise<CardAddress | undefined>;
  /** Shows the request's current state on its shared card and on the requester's copy, for every viewer. */
  show(session: Session): Promise<void>;
  /** Tells the requester, in their personal chat, who took their request and what to expect. */
  tellTaken(session: Session): Promise<void>;
  /** Raises a request nobody has taken once more in its channel. */
  remind(session: Session, waitedMinutes: number): Promise<void>;
}
