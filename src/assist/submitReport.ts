import type { ReportPayloadShape } from '../config';
import { GraphFailure } from '../graph/graphErrors';
import type { DirectoryUser, IntuneGraph } from '../graph/types';
import type { Logger } from '../log';
import type { Session } from '../sessions/session';
import { SessionConflictError, type SessionStore, type StoredSession } from '../sessions/sessionStore';
import type { Caller } from './caller';
import type { SessionOutcome } from './outcomes';
import { buildReportPayload, type ReportParties } from './reportPayload';
import { loadForCaller } from './sessionAccess';
import { inputsOf, readInputs, validateInputs, type SessionInputs } from './sessionInput';

/** Submit on the session card: validate, claim the session, report to Graph, record the outcome. */
export class SubmitReport {
  constructor(
    private readonly graph: IntuneGraph,
    private readonly store: SessionStore,
    private readonly payloadShape: ReportPayloadShape,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(caller: Caller, sessionId: unknown, data: unknown): Promise<SessionOutcome> {
    const access = await loadForCaller(this.store, caller, sessionId);
    if (access.kind !== 'ok') return access;
    const { session, etag } = access.stored;
    if (session.state !== 'requested') return { kind: 'closed', session };

    const inputs = readInputs(data);
    const validation = validateInputs(inputs, session.timeZone, session.helperDevices, this.now());
    if (!validation.ok) return { kind: 'open', session, inputs, errors: validation.errors };

    // The conditional write is the lock: of two clicks or two instances, only one gets past it.
    let claimed: StoredSession;
    try {
      claimed = await this.store.replace({ ...session, state: 'submitted', report: validation.report, updatedAt: this.stamp() }, etag);
    } catch (error) {
      if (error instanceof SessionConflictError) return this.trueState(session.id, inputs);
      throw error;
    }

    try {
      const parties = await this.partiesOf(caller, session);
      await this.graph.reportRemoteAssistance(buildReportPayload(claimed.session, validation.report, parties, this.payloadShape));
    } catch (error) {
      if (!(error instanceof GraphFailure)) throw error;
      // Nothing reached Intune for good: hand the form back with what was typed, so it can be sent again.
      const reopened = await this.store.replace({ ...claimed.session, state: 'requested', lastError: error.kind, updatedAt: this.stamp() }, claimed.etag);
      this.log.warn({ sessionId: session.id, status: error.status, code: error.code, requestId: error.requestId }, 'report not accepted');
      return { kind: 'open', session: reopened.session, inputs, errors: [], failure: error };
    }

    const reported = await this.store.replace({ ...claimed.session, state: 'reported', reportedAt: this.stamp(), updatedAt: this.stamp() }, claimed.etag);
    this.log.info({ sessionId: session.id }, 'session reported');
    return { kind: 'closed', session: reported.session };
  }

  /** The helper is the Teams user who clicked, looked up in Graph; the sharer is the device's primary user. */
  private async partiesOf(caller: Caller, session: Session): Promise<ReportParties> {
    const helper = await this.graph.getUser(caller.aadObjectId);
    let sharer: DirectoryUser | undefined;
    if (session.device.userId) {
      try {
        sharer = await this.graph.getUser(session.device.userId);
      } catch (error) {
        // A deleted primary user still leaves the device's own e-mail and UPN to report.
        if (!(error instanceof GraphFailure && error.kind === 'notFound')) throw error;
      }
    }
    return { helper, sharer };
  }

  private async trueState(sessionId: string, inputs: SessionInputs): Promise<SessionOutcome> {
    const current = await this.store.get(sessionId);
    if (!current) return { kind: 'unknown' };
    const session = current.session;
    return session.state === 'requested'
      ? { kind: 'open', session, inputs: session.report ? inputsOf(session.report) : inputs, errors: [] }
      : { kind: 'closed', session };
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}
