import type { CardAddress, Session } from '../sessions/session';
import type { SessionInputs } from './sessionInput';

/** The report outbox as the use cases see it: a durable queue of session ids. */
export interface ReportQueue {
  enqueue(sessionId: string, delaySec?: number): Promise<void>;
}

/** Shows a session's current state on its card in the chat, outside any turn (the report worker's voice). */
export interface SessionCards {
  /** The read-only record of a session that has left `requested`. */
  show(session: Session): Promise<void>;
  /** The live form of a `requested` session, again, with the inputs it was posted with (an update resets what was typed). */
  showForm(session: Session, inputs: SessionInputs): Promise<void>;
  /** The message of a request that waited for write budget and was never made says so, and to ask again. */
  tellNotRequested(session: Session): Promise<void>;
}

/** A session card just posted, whose device Intune may soon give a session link or an error for. */
export interface LinkWatch {
  sessionId: string;
  deviceId: string;
  card: CardAddress;
  /** The inputs the card was posted with, so an update shows the same form. */
  inputs: SessionInputs;
}

/** Watches for Intune's session link after a request, outside the turn: `watch` returns at once. */
export interface SessionLinkWatch {
  watch(watch: LinkWatch): void;
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
