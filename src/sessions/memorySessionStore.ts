import { SessionConflictError, type SessionStore, type StoredSession } from './sessionStore';
import type { Session } from './session';

/**
 * TEMPORARY: sessions live in this process only and are lost on restart. It keeps the same
 * conditional-write contract as the durable Azure Storage store that replaces it.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, StoredSession>();
  private version = 0;

  async create(session: Session): Promise<StoredSession> {
    if (this.sessions.has(session.id)) throw new SessionConflictError(session.id);
    return this.put(session);
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const stored = this.sessions.get(id);
    return stored && structuredClone(stored);
  }

  async replace(session: Session, etag: string): Promise<StoredSession> {
    if (this.sessions.get(session.id)?.etag !== etag) throw new SessionConflictError(session.id);
    return this.put(session);
  }

  async listForTechnician(tenantId: string, aadObjectId: string, limit: number): Promise<Session[]> {
    return [...this.sessions.values()]
      .map((stored) => stored.session)
      .filter((s) => s.tenantId === tenantId && s.technician.aadObjectId === aadObjectId)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
      .slice(0, Math.max(0, limit))
      .map((s) => structuredClone(s));
  }

  async ping(): Promise<void> {}

  private put(session: Session): StoredSession {
    const stored = { session: structuredClone(session), etag: `"${++this.version}"` };
    this.sessions.set(session.id, stored);
    return structuredClone(stored);
  }
}
