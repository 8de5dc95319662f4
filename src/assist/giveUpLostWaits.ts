import type { Logger } from '../log';
import type { Session, WaitingOwner } from '../sessions/session';
import type { SessionStore } from '../store/ports';
import type { SessionCards } from './ports';

/** Most waiting requests looked at per sweep. */
const BATCH = 500;
/** Past its `waitingUntil`, a request held by another machine's process is taken as lost after this much more (clock skew, a slow last write). */
const LOST_AFTER_MS = 60_000;

/** Whether the process that holds a waiting request is known to have stopped (on this machine: its pid is gone or reused). */
export type OwnerGone = (owner: WaitingOwner) => boolean;

/**
 * A request waiting for Intune's write budget lives in its process's memory (with single sign-on, with the
 * technician's token, which is never stored). When that process stopped without giving it up (a crash, a
 * kill), its record is left `waiting`: the request will never be made, so the record goes and the message
 * that said when it would go now says to ask again. Run at start and by the sweep, on every instance; each
 * record is deleted at the version read, so one instance tells.
 */
export class GiveUpLostWaits {
  constructor(
    private readonly store: SessionStore,
    private readonly cards: SessionCards,
    private readonly ownerGone: OwnerGone,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async run(): Promise<number> {
    let told = 0;
    for (const stored of await this.store.listInState('waiting', BATCH)) {
      if (!this.lost(stored.session) || !(await this.store.delete(stored))) continue;
      told++;
      this.log.warn({ sessionId: stored.session.id, deviceId: stored.session.device.id }, 'a request waiting for Intune write budget was lost with its process: never made, the technician is told to ask again');
      await this.cards.tellNotRequested(stored.session).catch((error) => this.log.warn({ err: error, sessionId: stored.session.id }, 'could not tell the technician a waiting request was lost'));
    }
    return told;
  }

  private lost(session: Session): boolean {
    if (session.state !== 'waiting') return false;
    if (session.waitingOwner && this.ownerGone(session.waitingOwner)) return true;
    return this.now() > Date.parse(session.waitingUntil ?? session.updatedAt) + LOST_AFTER_MS;
  }
}
