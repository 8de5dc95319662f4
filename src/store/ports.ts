// The store's ports: what the use cases and the worker need of storage, whatever the engine.
import type { Session, SessionState } from '../sessions/session';

/**
 * The states a session can be listed by, whatever the engine (`requested`: for closing abandoned sessions;
 * `waiting`: for requests whose process stopped before they went).
 */
export const LISTED_STATES = ['submitted', 'asked', 'requested', 'waiting'] as const satisfies readonly SessionState[];
export type ListedState = (typeof LISTED_STATES)[number];

/** A session together with the version it was read at; every write names the version it replaces. */
export interface StoredSession {
  session: Session;
  /** Opaque: the blob's ETag on Azure, the row version on SQLite. */
  etag: string;
}

export interface SessionStore {
  /** Throws SessionConflictError when a session with this id exists. */
  create(session: Session): Promise<StoredSession>;
  get(id: string): Promise<StoredSession | undefined>;
  /** Replaces the session only if it is still at `etag`; otherwise throws SessionConflictError. */
  replace(session: Session, etag: string): Promise<StoredSession>;
  /** Deletes the session only if it is still at `etag`, with its index entries and markers; false when it changed or went. */
  delete(stored: StoredSession): Promise<boolean>;
  /** The technician's sessions in the tenant, newest (by `createdAt`) first, at most `limit`. */
  listForTechnician(tenantId: string, aadObjectId: string, limit: number): Promise<Session[]>;
  /**
   * Sessions in a state the housekeeping looks for (`submitted`: stranded reports; `asked`: open requests;
   * `requested`: sessions perhaps abandoned; `waiting`: requests perhaps lost with their process), oldest change first on SQLite (by id on Azure), at most `limit`.
   */
  listInState(state: ListedState, limit: number): Promise<StoredSession[]>;
  /**
   * The sessions whose `createdAt` is in [from, to), oldest first, a page at a time (the audit export). On
   * Azure Storage a day is listed at a time through its `by-day/<yyyy-mm-dd>/` markers.
   */
  listCreated(from: Date, to: Date): AsyncIterable<StoredSession>;
  /**
   * Retention: deletes up to `limit` sessions created before `cutOff`, with their index entries and markers;
   * returns how many went, each counted by one caller only. SQLite deletes in one statement; Azure deletes
   * each blob at the ETag read, so a session changed meanwhile is left for the next round.
   */
  deleteCreatedBefore(cutOff: Date, limit: number): Promise<number>;
  /**
   * Where an engine's listings need entries that earlier versions did not write (Azure: the `by-day/` and
   * `requested/` markers), writes them for one more batch of sessions; returns how many, 0 once all are done.
   */
  indexEarlier?(): Promise<number>;
}

/** One report to send, as received: `attempt` is the queue's delivery count, so it survives restarts. */
export interface OutboxMessage {
  sessionId: string;
  attempt: number;
  messageId: string;
  /** Proves the receiver still holds the message; stale once it became visible and was received again. */
  popReceipt: string;
}

/** How far behind the report worker is. */
export interface OutboxStats {
  /** Messages in the queue, in hand or held back included (Azure: the queue's approximate count). */
  depth: number;
  /** Seconds since the oldest message was queued; 0 when none is (Azure: the oldest visible one). */
  oldestAgeSec: number;
}

/** The durable queue of reports to send. A received message stays hidden for its visibility timeout. */
export interface ReportOutbox {
  /** Queues a session's report, visible after `delaySec`. */
  enqueue(sessionId: string, delaySec?: number): Promise<void>;
  /** Up to `max` visible messages, each hidden for `visibilityTimeoutSec` and its delivery count raised. */
  receive(max: number, visibilityTimeoutSec: number): Promise<OutboxMessage[]>;
  /** Removes the message; already gone, or received again by someone else, is fine. */
  complete(message: OutboxMessage): Promise<void>;
  /** Hides the message again for `delaySec`; it then comes back as the next attempt. */
  retryLater(message: OutboxMessage, delaySec: number): Promise<void>;
  /** Depth and age of the queue, for the metrics. */
  stats(): Promise<OutboxStats>;
}

/**
 * Remembers that something was done, across instances: the first `claim` of a key wins. Teams retries slow
 * turns with the same activity id and users double-click; a claim per action keeps either from acting twice.
 */
export interface OnceLedger {
  claim(key: string): Promise<boolean>;
  /** Gives a claim back when the action it guarded did not happen, so it can be tried again. */
  release(key: string): Promise<void>;
}

/** A request waiting for the technician's single sign-on token, keyed by the sign-in card's exchange id. */
export interface PendingRequest {
  exchangeId: string;
  tenantId: string;
  aadObjectId: string;
  conversationId: string;
  /** `anyone`: "help me with X" without "device", which may name a person. */
  command: { kind: 'byName'; deviceName: string; anyone?: boolean } | { kind: 'byId'; deviceId: string };
  createdAt: string;
}

/** Parked requests; `take` succeeds for exactly one of several concurrent takers of the same version. */
export interface PendingSignIns {
  save(pending: PendingRequest): Promise<void>;
  read(exchangeId: string): Promise<{ pending: PendingRequest; etag: string } | undefined>;
  take(exchangeId: string, etag: string): Promise<boolean>;
}

/** The outcome of asking the shared write budget for writes: how many it recorded, and when there is room for the rest. */
export interface BudgetTake {
  taken: number;
  /** Set when fewer were taken than asked for: when the next write fits (epoch ms). */
  at?: number;
}

/**
 * Intune's write budget (200 per 20 s per app and tenant), counted for every instance that shares the store:
 * `take` records up to `count` writes, each at `heldUntil` (by then its answer will have come), while fewer
 * than `limit` are recorded in the `windowMs` before `now`. A write counts from when it was recorded until a
 * window later, so a late answer never leaves room Intune does not have.
 */
export interface WriteBudgetLedger {
  take(limit: number, windowMs: number, now: number, count: number, heldUntil: number): Promise<BudgetTake>;
  /** Moves each write recorded at `recorded` to `at` (when its answer came, usually earlier); one already gone is skipped. */
  settle(writes: Array<{ recorded: number; at: number }>): Promise<void>;
}

/** Everything kept, behind one engine. */
export interface Store {
  /** `sqlite` (one machine) or `azure` (several instances). */
  engine: 'sqlite' | 'azure';
  sessions: SessionStore;
  outbox: ReportOutbox;
  once: OnceLedger;
  signIns: PendingSignIns;
  writeBudget: WriteBudgetLedger;
  /** Resolves when the store can be reached (the readiness probe); otherwise throws StoreUnavailableError. */
  ping(): Promise<void>;
  /** Deletes once-claims and parked sign-ins older than their time to live; returns how many went. */
  expire(ttl: ExpiryTimes): Promise<number>;
  close(): Promise<void>;
}

export interface ExpiryTimes {
  onceClaimSec: number;
  pendingSignInSec: number;
}

/** Someone else changed the session since it was read: re-read and decide again. */
export class SessionConflictError extends Error {
  constructor(readonly sessionId: string) {
    super(`Session ${sessionId} changed concurrently`);
    this.name = 'SessionConflictError';
  }
}

/**
 * The store could not be reached, or refused the write; nothing was written. `full`: it will go on refusing
 * until an admin makes room, so trying again in a moment does not help.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown, readonly reason: 'unavailable' | 'full' = 'unavailable') {
    super(reason === 'full' ? 'Session store full' : 'Session store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
