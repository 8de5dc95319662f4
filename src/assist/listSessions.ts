import type { Session } from '../sessions/session';
import type { SessionStore } from '../store/ports';
import type { Caller } from './caller';

/** How many recent sessions "sessions" shows. */
const RECENT_SESSIONS = 10;

/** "sessions" / "my sessions": the technician's own recent sessions, newest first. */
export class ListSessions {
  constructor(private readonly store: SessionStore) {}

  run(caller: Caller): Promise<Session[]> {
    return this.store.listForTechnician(caller.tenantId, caller.aadObjectId, RECENT_SESSIONS);
  }
}
