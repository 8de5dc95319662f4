import type { Session } from '../../sessions/session';
import { SessionConflictError, type ListedState, type SessionStore, type StoredSession } from '../ports';
import type { Db } from './database';
import type { Guard } from './guard';

interface Row { version: number; body: string }
interface PagedRow extends Row { id: string; created_at: string }

/** Rows read per query when listing by creation: each page is one short read, so writers are not held up. */
const PAGE = 500;

/** Sessions as rows: the JSON body plus the columns we look them up by; `version` is the ETag. */
export class SqliteSessionStore implements SessionStore {
  private readonly statements;

  constructor(db: Db, private readonly guard: Guard) {
    this.statements = {
      insert: db.prepare(`INSERT INTO sessions (id, version, tenant_id, technician_id, state, created_at, updated_at, body)
        VALUES (@id, 1, @tenantId, @technicianId, @state, @createdAt, @updatedAt, @body) ON CONFLICT (id) DO NOTHING`),
      get: db.prepare<[string], Row>('SELECT version, body FROM sessions WHERE id = ?'),
      replace: db.prepare(`UPDATE sessions SET version = version + 1, technician_id = @technicianId, state = @state, created_at = @createdAt, updated_at = @updatedAt, body = @body
        WHERE id = @id AND version = @version`),
      deleteAt: db.prepare('DELETE FROM sessions WHERE id = ? AND version = ?'),
      byTechnician: db.prepare<[string, string, number], Row>(
        'SELECT version, body FROM sessions WHERE tenant_id = ? AND technician_id = ? ORDER BY created_at DESC, id LIMIT ?'),
      inState: db.prepare<[string, number], Row>('SELECT version, body FROM sessions WHERE state = ? ORDER BY updated_at LIMIT ?'),
      // Keyset pages on (created_at, id): each page starts after the last row of the one before.
      created: db.prepare<[string, string, string, string, number], PagedRow>(`SELECT id, created_at, version, body FROM sessions
        WHERE created_at >= ? AND created_at < ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`),
      deleteBefore: db.prepare('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE created_at < ? ORDER BY created_at, id LIMIT ?)'),
    };
  }

  create(session: Session): Promise<StoredSession> {
    return this.guard(() => {
      const body = JSON.stringify(session);
      const { changes } = this.statements.insert.run({ ...columns(session), body });
      if (changes === 0) throw new SessionConflictError(session.id);
      return stored({ version: 1, body });
    });
  }

  get(id: string): Promise<StoredSession | undefined> {
    return this.guard(() => {
      const row = this.statements.get.get(id);
      return row && stored(row);
    });
  }

  replace(session: Session, etag: string): Promise<StoredSession> {
    return this.guard(() => {
      const version = Number(etag);
      const body = JSON.stringify(session);
      const { changes } = this.statements.replace.run({ ...columns(session), body, version });
      // Changed or deleted since it was read: the caller's version is no longer current.
      if (changes === 0) throw new SessionConflictError(session.id);
      return stored({ version: version + 1, body });
    });
  }

  delete({ session, etag }: StoredSession): Promise<boolean> {
    return this.guard(() => this.statements.deleteAt.run(session.id, Number(etag)).changes === 1);
  }

  listForTechnician(tenantId: string, aadObjectId: string, limit: number): Promise<Session[]> {
    return this.guard(() => (limit > 0 ? this.statements.byTechnician.all(tenantId, aadObjectId, limit).map((row) => stored(row).session) : []));
  }

  listInState(state: ListedState, limit: number): Promise<StoredSession[]> {
    return this.guard(() => this.statements.inState.all(state, limit).map(stored));
  }

  async *listCreated(from: Date, to: Date): AsyncIterable<StoredSession> {
    let after = { at: '', id: '' };
    for (;;) {
      const rows = await this.guard(() => this.statements.created.all(from.toISOString(), to.toISOString(), after.at, after.id, PAGE));
      for (const row of rows) yield stored(row);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1];
      after = { at: last.created_at, id: last.id };
    }
  }

  deleteCreatedBefore(cutOff: Date, limit: number): Promise<number> {
    // One statement: a row is deleted whole, at whatever version it has; nothing else refers to it.
    return this.guard(() => (limit > 0 ? this.statements.deleteBefore.run(cutOff.toISOString(), Math.floor(limit)).changes : 0));
  }
}

function columns(session: Session) {
  return {
    id: session.id,
    tenantId: session.tenantId,
    technicianId: session.technician.aadObjectId,
    state: session.state,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}

function stored(row: Row): StoredSession {
  return { session: JSON.parse(row.body) as Session, etag: String(row.version) };
}
