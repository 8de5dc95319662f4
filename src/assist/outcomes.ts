import type { DirectoryUser, ManagedDevice } from '../graph/types';
import type { GraphFailure } from '../graph/graphErrors';
import type { Session } from '../sessions/session';
import type { InputError, SessionInputs } from './sessionInput';

/** Why a request waiting for write budget was given up. */
export type AbandonReason = 'stopping' | 'timedOut';

/** What "help me with …" led to. */
export type StartOutcome =
  | { kind: 'notFound'; deviceName: string }
  /** "help me with X": no device and no person goes by X. */
  | { kind: 'nobody'; text: string }
  /** Several people go by that name or address: the technician picks one, then a device. */
  | { kind: 'people'; text: string; people: DirectoryUser[] }
  /** One person: their managed devices to pick from (none: said so). Nothing is requested until a pick. */
  | { kind: 'personDevices'; person: DirectoryUser; devices: ManagedDevice[] }
  /** Several devices by that name, or (`partial`) devices whose names contain it: the technician picks one. */
  | { kind: 'ambiguous'; deviceName: string; devices: ManagedDevice[]; partial?: boolean }
  | { kind: 'started'; session: Session; inputs: SessionInputs }
  /** This very turn or card pick was already acted on (a Teams retry, a double click): nothing more to say. */
  | { kind: 'repeated' }
  /**
   * Intune's write budget is used up: the request goes on its own at about `at`; `later` settles with what
   * then happened (started, failed, or abandoned). `sessionId`: the waiting request's record.
   */
  | { kind: 'waiting'; sessionId: string; deviceName: string; at: string; later: Promise<StartOutcome> }
  | { kind: 'failed'; error: unknown }
  /** A request that waited for write budget was not made: the process stopped first, or room never came in time. */
  | { kind: 'abandoned'; reason: AbandonReason; deviceName: string }
  /** Intune took the request but the session could not be saved: no card to log it with. */
  | { kind: 'requestedNotSaved'; deviceName: string };

/** What a card action led to: the card to show is always the session's true state. */
export type SessionOutcome =
  /** Still editable: the form, with the technician's inputs and what is wrong with them. */
  | { kind: 'open'; session: Session; inputs: SessionInputs; errors: InputError[]; failure?: GraphFailure }
  /** Reported, cancelled or being sent: a read-only record. */
  | { kind: 'closed'; session: Session }
  /** No such session in this conversation (expired, forged or from elsewhere). */
  | { kind: 'unknown' }
  /** Another technician's session. */
  | { kind: 'notYours'; session: Session };
