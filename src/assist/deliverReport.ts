import type { ReportPayloadShape } from '../config';
import { GraphFailure } from '../graph/graphErrors';
import type { DirectoryUser, IntuneGraph } from '../graph/types';
import type { Logger } from '../log';
import type { Session } from '../sessions/session';
import { noMetrics, type Metrics } from '../telemetry/metrics';
import { SessionConflictError, type SessionStore, type StoredSession } from '../store/ports';
import type { SessionCards } from './ports';
import { KeptAWhile } from './keptAWhile';
import { buildReportPayload, type ReportParties } from './reportPayload';

/** What to do with the outbox message afterwards. */
export type Delivery = { outcome: 'done' } | { outcome: 'retry'; afterSec: number };

export interface DeliveryPolicy {
  /** How long after the submit transient failures are retried: an Intune outage shorter than this loses nothing. */
  retryWindowSec: number;
  /** How long one worker may hold a session while it reports: a Graph call with its retries and a wait for write budget (≤ 20 s). */
  leaseSec: number;
  /** Backoff after attempt n: base·2^(n-1), capped, with ±50% jitter. */
  backoffBaseSec: number;
  backoffMaxSec: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { retryWindowSec: 24 * 3600, leaseSec: 60, backoffBaseSec: 1, backoffMaxSec: 300 };

/** Failures worth another try: Graph asked us to wait, or could not answer. */
const TRANSIENT = new Set(['busy', 'unavailable', 'timeout']);
/** Deliveries of a message whose submit has not been written yet, before we call it stale. */
const UNCLAIMED_GRACE_ATTEMPTS = 3;
/** A person's names and addresses, as a report gives them: kept a few minutes, since a technician reports many sessions. */
const PEOPLE_TTL_MS = 5 * 60_000;

/**
 * The report worker's use case: send one queued session's report to Graph exactly once in effect,
 * whatever the number of instances, retries or crashes, and show the result on the card.
 */
export class DeliverReport {
  private readonly people = new KeptAWhile<DirectoryUser>(PEOPLE_TTL_MS, undefined, () => this.now().getTime());

  constructor(
    private readonly graph: IntuneGraph,
    private readonly store: SessionStore,
    private readonly cards: SessionCards,
    private readonly payloadShape: ReportPayloadShape,
    private readonly log: Logger,
    private readonly policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
    private readonly now: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
    private readonly metrics: Pick<Metrics, 'report'> = noMetrics,
  ) {}

  async run(sessionId: string, attempt: number): Promise<Delivery> {
    const stored = await this.store.get(sessionId);
    if (!stored) {
      this.log.warn({ sessionId }, 'queued report for an unknown session dropped');
      return { outcome: 'done' };
    }
    const { session } = stored;
    if (session.state === 'requested' || session.state === 'failed') {
      // The submit queues before it writes; give that write time to land before calling the message stale.
      return attempt < UNCLAIMED_GRACE_ATTEMPTS ? { outcome: 'retry', afterSec: 2 } : { outcome: 'done' };
    }
    if (session.state !== 'submitted' || !session.report) return { outcome: 'done' };

    const leaseLeft = session.deliveryLeaseUntil ? Date.parse(session.deliveryLeaseUntil) - this.now().getTime() : 0;
    if (leaseLeft > 0) return { outcome: 'retry', afterSec: Math.ceil(leaseLeft / 1000) };

    let claimed: StoredSession;
    try {
      const leaseUntil = new Date(this.now().getTime() + this.policy.leaseSec * 1000).toISOString();
      claimed = await this.store.replace({ ...session, deliveryLeaseUntil: leaseUntil }, stored.etag);
    } catch (error) {
      if (error instanceof SessionConflictError) return { outcome: 'retry', afterSec: 1 };
      throw error;
    }

    try {
      const parties = await this.partiesOf(claimed.session);
      await this.graph.reportRemoteAssistance(buildReportPayload(claimed.session, claimed.session.report!, parties, this.payloadShape));
    } catch (error) {
      if (!(error instanceof GraphFailure)) throw error;
      return this.failed(claimed, error, attempt);
    }
    // The one window for a duplicate: a crash here, after Graph's 204 and before this write. The lease
    // lapses, another worker sends the same report again, and its stable id (the session id) lets Intune
    // recognise it.
    const stamp = this.now().toISOString();
    const reported = await this.store.replace(
      { ...claimed.session, state: 'reported', reportedAt: stamp, updatedAt: stamp, deliveryLeaseUntil: undefined, nextAttemptAt: undefined, failure: undefined },
      claimed.etag,
    );
    this.metrics.report('delivered');
    this.log.info({ sessionId, attempt }, 'session reported');
    await this.showCard(reported.session);
    return { outcome: 'done' };
  }

  private async failed(claimed: StoredSession, error: GraphFailure, attempt: number): Promise<Delivery> {
    const session = claimed.session;
    const stamp = this.now().toISOString();
    const failure = { kind: error.kind, status: error.status, code: error.code, at: stamp };
    const log = { sessionId: session.id, attempt, status: error.status, code: error.code, requestId: error.requestId };
    const retryingSinceMs = this.now().getTime() - Date.parse(session.submittedAt ?? session.updatedAt);
    if (TRANSIENT.has(error.kind) && retryingSinceMs < this.policy.retryWindowSec * 1000) {
      const afterSec = Math.max(error.retryAfterSec ?? 0, this.backoffSec(attempt));
      const nextAttemptAt = new Date(this.now().getTime() + afterSec * 1000).toISOString();
      await this.store.replace({ ...session, deliveryLeaseUntil: undefined, nextAttemptAt, failure, updatedAt: stamp }, claimed.etag);
      this.metrics.report('retried');
      this.log.warn({ ...log, afterSec }, 'report attempt failed; will retry');
      return { outcome: 'retry', afterSec };
    }
    const failedSession = await this.store.replace({ ...session, state: 'failed', deliveryLeaseUntil: undefined, nextAttemptAt: undefined, failure, updatedAt: stamp }, claimed.etag);
    this.metrics.report('failed');
    this.log.error(log, 'report failed for good');
    await this.showCard(failedSession.session);
    return { outcome: 'done' };
  }

  private backoffSec(attempt: number): number {
    const base = Math.min(this.policy.backoffMaxSec, this.policy.backoffBaseSec * 2 ** (attempt - 1));
    return Math.max(1, Math.round(base * (0.5 + this.random())));
  }

  /** The helper is the technician who submitted (stored from the authenticated turn); the sharer is the device's primary user. */
  private async partiesOf(session: Session): Promise<ReportParties> {
    // Both at once: with Graph slow (seconds a call), one after the other was most of a delivery's time.
    const sharerLookup = session.device.userId
      ? this.person(session.tenantId, session.device.userId).catch((error: unknown) => {
          // A deleted primary user still leaves the device's own e-mail and UPN to report.
          if (error instanceof GraphFailure && error.kind === 'notFound') return undefined;
          throw error;
        })
      : Promise.resolve(undefined);
    const [helper, sharer] = await Promise.all([this.person(session.tenantId, session.technician.aadObjectId), sharerLookup]);
    return { helper, sharer };
  }

  private person(tenantId: string, userId: string): Promise<DirectoryUser> {
    return this.people.get(`${tenantId}/${userId}`, () => this.graph.getUser(userId));
  }

  /** A card that cannot be updated (deleted chat, Teams down) must not make the report go again. */
  private async showCard(session: Session): Promise<void> {
    try {
      await this.cards.show(session);
    } catch (error) {
      this.log.warn({ err: error, sessionId: session.id }, 'could not update the session card');
    }
  }
}
