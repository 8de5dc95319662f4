import { withLogFields, type Logger } from '../log';
import type { Session } from '../sessions/session';
import { SessionConflictError, type SessionStore } from '../store/ports';
import type { Caller } from './caller';
import type { RequestNotices } from './ports';

/** Most open requests looked at in one go; a helpdesk with more has other problems. */
const OPEN_REQUESTS = 100;

/** Requests nobody has taken yet: listed for technicians (`requests`) and raised again after a while. */
export class OpenRequests {
  constructor(
    private readonly store: SessionStore,
    private readonly notices: RequestNotices,
    private readonly reminderMinutes: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The caller's tenant's open requests, oldest first. */
  async list(caller: Caller): Promise<Session[]> {
    return (await this.store.listInState('asked', OPEN_REQUESTS)).map((s) => s.session).filter((s) => s.tenantId === caller.tenantId);
  }

  /** Raises, once, each request waiting longer than the reminder delay; 0 minutes means never. Returns how many. */
  async remind(): Promise<number> {
    if (this.reminderMinutes <= 0) return 0;
    const due = this.now().getTime() - this.reminderMinutes * 60_000;
    let reminded = 0;
    for (const { session, etag } of await this.store.listInState('asked', OPEN_REQUESTS)) {
      if (session.remindedAt || Date.parse(session.askedAt ?? session.createdAt) > due) continue;
      try {
        // Marked first, so that of several instances one reminds, and never twice.
        await this.store.replace({ ...session, remindedAt: this.now().toISOString() }, etag);
      } catch (error) {
        if (error instanceof SessionConflictError) continue;
        throw error;
      }
      const waited = Math.max(1, Math.round((this.now().getTime() - Date.parse(session.askedAt ?? session.createdAt)) / 60_000));
      await withLogFields({ sessionId: session.id }, () => this.notices.remind(session, waited)).then(() => reminded++, (error) => this.log.warn({ err: error, sessionId: session.id }, 'could not raise a waiting request again'));
    }
    return reminded;
  }
}
