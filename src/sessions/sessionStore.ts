import type { Session } from './session';

/** A session together with the version it was read at; every write names the version it replaces. */
export interface StoredSession {
  session: Session;
  etag: string;
}

export interface SessionStore {
  create(session: Session): Promise<StoredSession>;
  get(id: string): Promise<StoredSession | undefined>;
  /** Replaces the session only if it is still at `etag`; otherwise throws SessionConflictError. */
  replace(session: Session, etag: string): Promise<StoredSession>;
  /** The technician's sessions in the tenant, newest (by `createdAt`) first, at most `limit`. */
  listForTechnician(tenantId: string, aadObjectId: string, limit: number): Promise<Session[]>;
  /** Resolves when the store can be reached (the readiness probe); otherwise throws StoreUnavailableError. */
  ping(): Promise<void>;
}

/** Someone else changed the session since it was read: re-read and decide again. */
export class SessionConflictError extends Error {
  constructor(readonly sessionId: string) {
    super(`Session ${sessionId} changed concurrently`);
    this.name = 'SessionConflictError';
  }
}

/** The store could not be reached; nothing was written. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Session store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
