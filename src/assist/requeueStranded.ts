import type { Logger } from '../log';
import { SessionConflictError, type SessionStore } from '../store/ports';
import type { ReportQueue } from './ports';

/** Most submitted sessions looked at per sweep; the oldest changes come first. */
const SWEEP_BATCH = 500;

/**
 * Finds sessions left `submitted` with no report message behind them (the submit's write landed after the
 * client gave up on it; a message lost with an instance) and queues their report again. A session is left
 * alone while a worker holds its lease, and for `graceSec` after its last change or planned retry: a
 * message may still be on its way. Queuing one twice is harmless: the second delivery finds it reported.
 */
export class RequeueStranded {
  constructor(
    private readonly store: SessionStore,
    private readonly queue: ReportQueue,
    private readonly graceSec: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(): Promise<number> {
    const now = this.now().getTime();
    let requeued = 0;
    for (const { session, etag } of await this.store.listInState('submitted', SWEEP_BATCH)) {
      if (session.deliveryLeaseUntil && Date.parse(session.deliveryLeaseUntil) > now) continue;
      const due = Date.parse(session.nextAttemptAt ?? session.updatedAt);
      if (now - due < this.graceSec * 1000) continue;
      try {
        // Written first: the next sweep waits another grace, and a worker that moved it meanwhile wins.
        await this.store.replace({ ...session, nextAttemptAt: new Date(now).toISOString() }, etag);
      } catch (error) {
        if (error instanceof SessionConflictError) continue;
        throw error;
      }
      await this.queue.enqueue(session.id);
      requeued++;
      this.log.warn({ sessionId: session.id, since: session.nextAttemptAt ?? session.updatedAt }, 'report was not queued: queued it again');
    }
    return requeued;
  }
}
