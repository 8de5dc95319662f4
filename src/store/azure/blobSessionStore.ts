import type { ContainerClient } from '@azure/storage-blob';
import type { Session } from '../../sessions/session';
import { LISTED_STATES, SessionConflictError, StoreUnavailableError, type ListedState, type SessionStore, type StoredSession } from '../ports';
import { isContainerMissing, readText, statusOf, storageDeadline } from './storageCall';

const JSON_TYPE = 'application/json';
/** The largest Date in milliseconds: subtracting from it makes newer sessions sort first by name. */
const MAX_TIME_MS = 8_640_000_000_000_000;

/**
 * Sessions as blobs in Azure Storage: `sessions/<id>.json` holds the session, its ETag is the version every
 * write is conditional on. `by-technician/<tenant>/<user>/<invertedTime>-<id>` are empty blobs that let a
 * technician's sessions be listed newest first by name alone, without a table or a scan (a request gets its
 * entry when a technician takes it). `<state>/<id>` (`submitted/`, `asked/`) marks a session written in a
 * listed state, so the housekeeping finds those without reading every session; a marker whose session has
 * moved on is removed by the listing that finds it.
 */
export class BlobSessionStore implements SessionStore {
  constructor(private readonly container: ContainerClient) {}

  async create(session: Session): Promise<StoredSession> {
    const abortSignal = storageDeadline();
    const body = Buffer.from(JSON.stringify(session));
    try {
      // Index first: an index entry whose session was never written is skipped when listing, whereas a
      // session without its entry would never be listed.
      await this.container.getBlockBlobClient(indexName(session)).upload('', 0, { abortSignal });
      await this.mark(session, abortSignal);
      const written = await this.sessionBlob(session.id).upload(body, body.length, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: JSON_TYPE },
        abortSignal,
      });
      return { session: JSON.parse(body.toString('utf8')) as Session, etag: written.etag! };
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) throw new SessionConflictError(session.id);
      throw new StoreUnavailableError(error);
    }
  }

  async get(id: string): Promise<StoredSession | undefined> {
    return this.read(id, storageDeadline());
  }

  async replace(session: Session, etag: string): Promise<StoredSession> {
    const body = Buffer.from(JSON.stringify(session));
    try {
      // Marker and index first, as on create: one without its session is only swept away or skipped.
      const abortSignal = storageDeadline();
      await this.mark(session, abortSignal);
      if (session.state === 'requested' && session.takenAt) await this.container.getBlockBlobClient(indexName(session)).upload('', 0, { abortSignal });
      const written = await this.sessionBlob(session.id).upload(body, body.length, {
        conditions: { ifMatch: etag },
        blobHTTPHeaders: { blobContentType: JSON_TYPE },
        abortSignal,
      });
      return { session: JSON.parse(body.toString('utf8')) as Session, etag: written.etag! };
    } catch (error) {
      // 412: changed since read; 404: gone since read. Either way the caller's version is no longer current.
      if (statusOf(error) === 412 || (statusOf(error) === 404 && !isContainerMissing(error))) throw new SessionConflictError(session.id);
      throw new StoreUnavailableError(error);
    }
  }

  async listForTechnician(tenantId: string, aadObjectId: string, limit: number): Promise<Session[]> {
    const abortSignal = storageDeadline();
    const sessions: Session[] = [];
    const seen = new Set<string>();
    if (limit <= 0) return sessions;
    try {
      const pages = this.container.listBlobsFlat({ prefix: technicianPrefix(tenantId, aadObjectId), abortSignal }).byPage({ maxPageSize: limit });
      for await (const page of pages) {
        // An id can have two entries (a create retried after a conflict): each session once.
        const ids = page.segment.blobItems.map((item) => sessionIdOf(item.name)).filter((id) => !seen.has(id) && Boolean(seen.add(id)));
        // A page is at most `limit` small reads; skipped entries (orphans, a create that lost) fetch the next page.
        const found = await Promise.all(ids.map((id) => this.read(id, abortSignal)));
        for (const stored of found) {
          const s = stored?.session;
          if (s && s.tenantId === tenantId && s.technician.aadObjectId === aadObjectId) sessions.push(s);
          if (sessions.length === limit) return sessions;
        }
      }
      return sessions;
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
    }
  }

  async listInState(state: ListedState, limit: number): Promise<StoredSession[]> {
    const abortSignal = storageDeadline();
    const found: StoredSession[] = [];
    const prefix = `${state}/`;
    try {
      for await (const page of this.container.listBlobsFlat({ prefix, abortSignal }).byPage({ maxPageSize: Math.max(1, limit) })) {
        for (const item of page.segment.blobItems) {
          const stored = await this.read(decodeURIComponent(item.name.slice(prefix.length)), abortSignal);
          if (stored?.session.state === state) found.push(stored);
          else await this.container.getBlockBlobClient(item.name).deleteIfExists({ abortSignal });
          if (found.length >= limit) return found;
        }
      }
      return found;
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
    }
  }

  private async mark(session: Session, abortSignal: AbortSignal): Promise<void> {
    if (!(LISTED_STATES as readonly string[]).includes(session.state)) return;
    await this.container.getBlockBlobClient(`${session.state}/${encodeURIComponent(session.id)}`).upload('', 0, { abortSignal });
  }

  private async read(id: string, abortSignal: AbortSignal): Promise<StoredSession | undefined> {
    let text: string;
    let etag: string;
    try {
      const response = await this.sessionBlob(id).download(0, undefined, { abortSignal });
      text = await readText(response.readableStreamBody);
      etag = response.etag!;
    } catch (error) {
      if (statusOf(error) === 404 && !isContainerMissing(error)) return undefined;
      throw new StoreUnavailableError(error);
    }
    try {
      return { session: JSON.parse(text) as Session, etag };
    } catch (error) {
      throw new Error(`Session ${id} is stored but is not JSON`, { cause: error });
    }
  }

  private sessionBlob(id: string) {
    return this.container.getBlockBlobClient(`sessions/${encodeURIComponent(id)}.json`);
  }
}

function technicianPrefix(tenantId: string, aadObjectId: string): string {
  return `by-technician/${encodeURIComponent(tenantId)}/${encodeURIComponent(aadObjectId)}/`;
}

function indexName(session: Session): string {
  const created = Date.parse(session.createdAt);
  const inverted = String(MAX_TIME_MS - (Number.isNaN(created) ? Date.now() : created)).padStart(16, '0');
  return `${technicianPrefix(session.tenantId, session.technician.aadObjectId)}${inverted}-${encodeURIComponent(session.id)}`;
}

/** `…/<invertedTime>-<id>` → id (the time has no dash; the id may). */
function sessionIdOf(indexBlobName: string): string {
  const leaf = indexBlobName.slice(indexBlobName.lastIndexOf('/') + 1);
  return decodeURIComponent(leaf.slice(leaf.indexOf('-') + 1));
}
