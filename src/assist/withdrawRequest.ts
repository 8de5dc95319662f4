import type { Logger } from '../log';
import type { Session } from '../sessions/session';
import { SessionConflictError, type OnceLedger, type SessionStore } from '../store/ports';
import { openRequestKey } from './askForHelp';
import type { Caller } from './caller';
import type { RequestNotices } from './ports';
import { loadRequest } from './sessionAccess';

export type WithdrawOutcome =
  | { kind: 'withdrawn'; session: Session }
  | { kind: 'taken'; session: Session }
  /** Only the requester may withdraw. */
  | { kind: 'notRequester'; session: Session }
  | { kind: 'unknown' };

/** The requester takes their request back while nobody has taken it; each of its cards says so. */
export class WithdrawRequest {
  constructor(
    private readonly store: SessionStore,
    private readonly once: OnceLedger,
    private readonly notices: RequestNotices,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(caller: Caller, sessionId: unknown): Promise<WithdrawOutcome> {
    const stored = await loadRequest(this.store, caller, sessionId);
    if (!stored) return { kind: 'unknown' };
    const { session, etag } = stored;
    if (session.requester?.aadObjectId !== caller.aadObjectId) return { kind: 'notRequester', session };
    if (session.state === 'withdrawn') return { kind: 'withdrawn', session };
    if (session.state !== 'asked') return { kind: 'taken', session };
    const stamp = this.now().toISOString();
    let withdrawn: Session;
    try {
      withdrawn = (await this.store.replace({ ...session, state: 'withdrawn', withdrawnAt: stamp, updatedAt: stamp }, etag)).session;
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
      return this.run(caller, sessionId);
    }
    await this.once.release(openRequestKey(session));
    this.log.info({ sessionId: session.id }, 'request withdrawn');
    await this.notices.show(withdrawn).catch((error) => this.log.warn({ err: error, sessionId: session.id }, 'could not update the cards of a withdrawn request'));
    return { kind: 'withdrawn', session: withdrawn };
  }
}
