import { GraphFailure } from '../graph/graphErrors';
import type { IntuneGraph } from '../graph/types';
import type { Logger } from '../log';
import type { CardAddress, Session } from '../sessions/session';
import { SessionConflictError, type OnceLedger, type SessionStore } from '../store/ports';
import { openRequestKey } from './askForHelp';
import type { Caller } from './caller';
import type { RequestNotices } from './ports';
import { loadRequest } from './sessionAccess';
import { defaultInputs, type SessionInputs } from './sessionInput';
import { technicianContext } from './technicianContext';

export type TakeOutcome =
  | { kind: 'started'; session: Session; inputs: SessionInputs }
  /** Someone else took it first, or it was taken and has moved on. */
  | { kind: 'taken'; session: Session }
  | { kind: 'withdrawn'; session: Session }
  /** The requester clicked "Take it" on their own request. */
  | { kind: 'own' }
  | { kind: 'unknown' };

/**
 * "Take it" on a request: the first technician to click wins (a write conditional on the version read),
 * then Intune is asked through the requester's own devices, as that technician when signed in. The card
 * becomes their session log; the requester is told who will connect.
 */
export class TakeRequest {
  constructor(
    private readonly graph: IntuneGraph,
    private readonly store: SessionStore,
    private readonly once: OnceLedger,
    private readonly notices: RequestNotices,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(caller: Caller, sessionId: unknown, card: CardAddress, requester: IntuneGraph = this.graph): Promise<TakeOutcome> {
    const stored = await loadRequest(this.store, caller, sessionId);
    if (!stored) return { kind: 'unknown' };
    const { session: asked, etag } = stored;
    if (asked.requester?.aadObjectId === caller.aadObjectId) return { kind: 'own' };
    if (asked.state === 'withdrawn') return { kind: 'withdrawn', session: asked };
    if (asked.state !== 'asked') return { kind: 'taken', session: asked };

    const { helperDevices, lastType } = await technicianContext(this.graph, this.store, caller, this.log);
    const now = this.now().toISOString();
    let taken;
    try {
      taken = await this.store.replace({
        ...asked,
        state: 'requested',
        technician: { aadObjectId: caller.aadObjectId, name: caller.name, teamsId: caller.teamsId },
        timeZone: caller.timeZone,
        locale: caller.locale,
        helperDevices,
        card,
        createdAt: now,
        takenAt: now,
        updatedAt: now,
      }, etag);
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
      // Another technician (or a withdrawal) came first: say where it stands now.
      return this.run(caller, sessionId, card, requester);
    }
    try {
      await requester.requestRemoteAssistanceFor(asked.requester!.aadObjectId, asked.device.id);
    } catch (error) {
      if (!(error instanceof GraphFailure && error.mayHaveActed)) {
        // Intune refused: the request goes back to the channel for anyone to take again.
        await this.store.replace({ ...asked, updatedAt: this.now().toISOString() }, taken.etag).catch((undo) => this.log.error({ err: undo, sessionId: asked.id }, 'a request taken and refused by Intune could not be reopened'));
        throw error;
      }
      this.log.warn({ sessionId: asked.id, kind: error.kind, status: error.status }, 'Intune did not confirm the remote assistance request');
      taken = await this.store.replace({ ...taken.session, unconfirmed: true }, taken.etag);
    }
    await this.once.release(openRequestKey(asked));
    this.log.info({ sessionId: asked.id, deviceId: asked.device.id }, 'request taken; remote assistance requested');
    await this.notices.tellTaken(taken.session).catch((error) => this.log.warn({ err: error, sessionId: asked.id }, 'could not tell the requester their request was taken'));
    return { kind: 'started', session: taken.session, inputs: defaultInputs(helperDevices, lastType) };
  }
}
