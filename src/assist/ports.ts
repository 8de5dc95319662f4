import type { Session } from '../sessions/session';

/** The report outbox as the use cases see it: a durable queue of session ids. */
export interface ReportQueue {
  enqueue(sessionId: string, delaySec?: number): Promise<void>;
}

/** Shows a session's current state on its card in the chat, outside any turn (the report worker's voice). */
export interface SessionCards {
  show(session: Session): Promise<void>;
}
