import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import type { Session } from '../../sessions/session';
import { LISTED_STATES, SessionConflictError, StoreUnavailableError, type ListedState, type SessionStore, type StoredSession } from '../ports';
import { isContainerMissing, readText, statusOf, storageDeadline } from './storageCall';

const JSON_TYPE = 'application/json';
/** The largest Date in milliseconds: subtracting from it makes newer sessions sort first by name. */
const MAX_TIME_MS = 8_640_000_000_000_000;
const DAY_PREFIX = 'by-day/';
/** Far longer than one write takes (its deadline is 4 s). */
const MARKER_GRACE_MS = 60_000;
/** Session reads in flight at once when a whole day is listed. */
const PARALLEL_READS = 16;
/** Progress of giving earlier versions' sessions their markers; sessions read per step. */
const BACKFILL_BLOB = 'by-day-backfill.json';
const BACKFILL_PAGE = 500;

/**
 * Sessions as blobs in Azure Storage: `sessions/<id>.json` holds the session, its ETag is the version every
 * write is conditional on. `by-technician/<tenant>/<user>/<invertedTime>-<id>` are empty blobs that let a
 * technician's sessions be listed newest first by name alone, without a table or a scan (a request gets its
 * entry when a technician takes it). `<state>/<id>` (`submitted/`, `asked/`) marks a session written in a
 * listed state, so the housekeeping finds those without reading every session; a marker whose session has
 * moved on is removed by the listing that finds it. `by-day/<yyyy-mm-dd>/<id>` (the UTC day of `createdAt`)
 * lets retention and the audit export list one day at a time instead of reading every session.
 */
export class BlobSessionStore implements SessionStore {
  /** This instance saw the backfill of earlier sessions' markers finished. */
  private indexedEarlier = false;

  /**
   * `markerGraceMs`: how old a marker must be before a listing that finds its session in another state (or
   * missing) removes it. A write puts the marker first and the session a moment later; a listing between the
   * two would otherwise remove the marker the session is about to need.
   */
  constructor(private readonly container: ContainerClient, private readonly options: { markerGraceMs?: number } = {}) {}

  async create(session: Session): Promise<StoredSession> {
    const abortSignal = storageDeadline();
    const body = Buffer.from(JSON.stringify(session));
    try {
      // Index first: an index entry whose session was never written is skipped when listing, whereas a
      // session without its entry would never be listed.
      await this.index(session, abortSignal);
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
      // A taken request gets its technician's entry, and its new creation time its day's marker.
      if (session.state === 'requested' && session.takenAt) await this.index(session, abortSignal);
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
          else if (Date.now() - item.properties.lastModified.getTime() >= (this.options.markerGraceMs ?? MARKER_GRACE_MS)) {
            await this.container.getBlockBlobClient(item.name).deleteIfExists({ abortSignal });
          }
          if (found.length >= limit) return found;
        }
      }
      return found;
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
    }
  }

  async *listCreated(from: Date, to: Date): AsyncIterable<StoredSession> {
    const first = dayOf(from.getTime()), last = dayOf(to.getTime() - 1);
    if (!first || !last || from >= to) return;
    for (const day of await this.days()) {
      if (day < first) continue;
      if (day > last) return;
      const found: StoredSession[] = [];
      for (const stored of await this.readDay(day)) {
        const created = Date.parse(stored?.session.createdAt ?? '');
        // A marker left in a day the session no longer belongs to (a request taken later) is not its entry.
        if (stored && dayOf(created) === day && created >= from.getTime() && created < to.getTime()) found.push(stored);
      }
      yield* found.sort((a, b) => a.session.createdAt.localeCompare(b.session.createdAt) || a.session.id.localeCompare(b.session.id));
    }
  }

  async deleteCreatedBefore(cutOff: Date, limit: number): Promise<number> {
    const lastDay = dayOf(cutOff.getTime());
    let deleted = 0;
    if (!lastDay || limit <= 0) return 0;
    for (const day of await this.days()) {
      if (day > lastDay) break;
      const markers = await this.dayMarkers(day);
      const sessions = await this.readAll(markers.map((m) => m.id));
      const due: StoredSession[] = [];
      for (const [i, { blob }] of markers.entries()) {
        const stored = sessions[i];
        // The session is gone (deleted by another instance, or a delete cut short): the marker goes, but only
        // a whole day before the cut-off, where no create can still be on its way.
        if (!stored) {
          if (day < lastDay) await this.removeBlob(blob);
        }
        // Younger than the cut-off (the cut-off's own day, or a request taken later): kept.
        else if (Date.parse(stored.session.createdAt) < cutOff.getTime()) due.push(stored);
      }
      for (let i = 0; i < due.length && deleted < limit; ) {
        const batch = due.slice(i, i + Math.min(PARALLEL_READS, limit - deleted));
        i += batch.length;
        deleted += (await Promise.all(batch.map((stored) => this.delete(stored)))).filter(Boolean).length;
      }
      if (deleted >= limit) return deleted;
    }
    return deleted;
  }

  /**
   * Sessions written before `by-day/` markers existed (and `requested` ones before that state had markers)
   * get them, one page of `sessions/` per call, the place reached kept in a progress blob so instances and
   * restarts carry on from it. Writing a marker twice is harmless.
   */
  async indexEarlier(): Promise<number> {
    if (this.indexedEarlier) return 0;
    const progress = this.container.getBlockBlobClient(BACKFILL_BLOB);
    let state: { done?: boolean; next?: string } = {};
    let etag: string | undefined;
    try {
      const response = await progress.download(0, undefined, { abortSignal: storageDeadline() });
      state = JSON.parse(await readText(response.readableStreamBody)) as typeof state;
      etag = response.etag;
    } catch (error) {
      if (statusOf(error) !== 404 || isContainerMissing(error)) throw new StoreUnavailableError(error);
    }
    if (state.done) {
      this.indexedEarlier = true;
      return 0;
    }
    let indexed = 0;
    let next: string | undefined;
    try {
      const pages = this.container.listBlobsFlat({ prefix: 'sessions/', abortSignal: storageDeadline() }).byPage({ maxPageSize: BACKFILL_PAGE, continuationToken: state.next });
      const { value: page } = await pages.next();
      next = page?.continuationToken || undefined;
      const items: BlobItem[] = page?.segment.blobItems ?? [];
      const found = (await this.readAll(items.map((item) => decodeURIComponent(item.name.slice('sessions/'.length).replace(/\.json$/, ''))))).filter((x) => x !== undefined);
      for (let i = 0; i < found.length; i += PARALLEL_READS) {
        await Promise.all(found.slice(i, i + PARALLEL_READS).map(async ({ session }) => {
          const abortSignal = storageDeadline();
          await this.container.getBlockBlobClient(dayMarkerName(session)).upload('', 0, { abortSignal });
          await this.mark(session, abortSignal);
        }));
      }
      indexed = found.length;
      const body = JSON.stringify(next ? { next } : { done: true });
      // Only from the place read: another instance that moved on meanwhile is not sent back.
      await progress.upload(body, Buffer.byteLength(body), { conditions: etag ? { ifMatch: etag } : { ifNoneMatch: '*' }, abortSignal: storageDeadline() });
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) return indexed;
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
    }
    if (!next) this.indexedEarlier = true;
    return indexed;
  }

  /** Deletes the session at the version read, then its index entry and markers; false when it changed or went meanwhile. */
  async delete({ session, etag }: StoredSession): Promise<boolean> {
    try {
      await this.sessionBlob(session.id).delete({ conditions: { ifMatch: etag }, abortSignal: storageDeadline() });
    } catch (error) {
      if (statusOf(error) === 412 || (statusOf(error) === 404 && !isContainerMissing(error))) return false;
      throw new StoreUnavailableError(error);
    }
    // Session first: an entry or marker left behind by a failure here is skipped when listing, and swept later.
    const leftovers = [indexName(session), dayMarkerName(session), ...LISTED_STATES.map((state) => markerName(state, session.id))];
    await Promise.all(leftovers.map((name) => this.removeBlob(name)));
    return true;
  }

  private async removeBlob(name: string): Promise<void> {
    try {
      await this.container.getBlockBlobClient(name).deleteIfExists({ abortSignal: storageDeadline() });
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  }

  /** The days that have markers, oldest first: one listing of prefixes, however many sessions each day holds. */
  private async days(): Promise<string[]> {
    const days: string[] = [];
    try {
      for await (const item of this.container.listBlobsByHierarchy('/', { prefix: DAY_PREFIX, abortSignal: storageDeadline() })) {
        if (item.kind === 'prefix') days.push(item.name.slice(DAY_PREFIX.length, -1));
      }
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
    return days.sort();
  }

  private async dayMarkers(day: string): Promise<{ blob: string; id: string }[]> {
    const prefix = `${DAY_PREFIX}${day}/`;
    const markers: { blob: string; id: string }[] = [];
    try {
      for await (const item of this.container.listBlobsFlat({ prefix, abortSignal: storageDeadline() })) markers.push({ blob: item.name, id: decodeURIComponent(item.name.slice(prefix.length)) });
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
    return markers;
  }

  private async readDay(day: string): Promise<(StoredSession | undefined)[]> {
    return this.readAll((await this.dayMarkers(day)).map((m) => m.id));
  }

  /** Reads sessions a few at a time, each read with its own deadline. */
  private async readAll(ids: string[]): Promise<(StoredSession | undefined)[]> {
    const found: (StoredSession | undefined)[] = [];
    for (let i = 0; i < ids.length; i += PARALLEL_READS) {
      found.push(...(await Promise.all(ids.slice(i, i + PARALLEL_READS).map((id) => this.read(id, storageDeadline())))));
    }
    return found;
  }

  private async index(session: Session, abortSignal: AbortSignal): Promise<void> {
    await this.container.getBlockBlobClient(indexName(session)).upload('', 0, { abortSignal });
    await this.container.getBlockBlobClient(dayMarkerName(session)).upload('', 0, { abortSignal });
  }

  private async mark(session: Session, abortSignal: AbortSignal): Promise<void> {
    if (!(LISTED_STATES as readonly string[]).includes(session.state)) return;
    await this.container.getBlockBlobClient(markerName(session.state, session.id)).upload('', 0, { abortSignal });
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

/** `<state>/<id>`: the session was written in a listed state. */
function markerName(state: string, id: string): string {
  return `${state}/${encodeURIComponent(id)}`;
}

/** The UTC day of an instant, yyyy-mm-dd; undefined for no valid time. */
function dayOf(ms: number): string | undefined {
  return Number.isNaN(ms) || Math.abs(ms) > MAX_TIME_MS ? undefined : new Date(ms).toISOString().slice(0, 10);
}

function dayMarkerName(session: Session): string {
  // A session without a readable creation time is filed under today's day, as its index entry is.
  return `${DAY_PREFIX}${dayOf(Date.parse(session.createdAt)) ?? dayOf(Date.now())}/${encodeURIComponent(session.id)}`;
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
