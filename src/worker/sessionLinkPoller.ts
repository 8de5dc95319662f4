import type { LinkWatch, SessionLinkWatch } from '../assist/ports';
import type { LinkLook } from '../assist/showSessionLink';
import { withLogFields, type Logger } from '../log';

export interface LinkPollPolicy {
  /** How long after the request the device is watched; 0 watches nothing. */
  waitMs: number;
  /** The first look, then doubling up to `maxDelayMs` (Intune usually answers within seconds). */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Sessions watched at once; beyond it a new one is not watched (its card keeps "Open in Intune"). */
  maxWatched: number;
}

export const DEFAULT_LINK_POLL_POLICY: LinkPollPolicy = { waitMs: 180_000, firstDelayMs: 1000, maxDelayMs: 30_000, maxWatched: 200 };

/**
 * Looks at each watched device on a backoff (1 s, 2 s, 4 s … 30 s) until the look is done or the wait is
 * over, outside any turn. Kept in this process only: it ends with the process, and a session whose watch
 * ended still has its card, with "Open in Intune".
 */
export class SessionLinkPoller implements SessionLinkWatch {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly looking = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly look: (watch: LinkWatch) => Promise<LinkLook>,
    private readonly log: Logger,
    private readonly policy: LinkPollPolicy = DEFAULT_LINK_POLL_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  watch(watch: LinkWatch): void {
    if (this.stopped || this.policy.waitMs <= 0 || this.timers.has(watch.sessionId)) return;
    if (this.timers.size + this.looking.size >= this.policy.maxWatched) {
      this.log.warn({ sessionId: watch.sessionId, watched: this.timers.size }, 'too many sessions watched for their link: not watching this one');
      return;
    }
    this.schedule(watch, this.now(), 1, this.policy.firstDelayMs);
  }

  /** No new looks; the looks under way finish (each Graph call has its deadline). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.looking]);
  }

  private schedule(watch: LinkWatch, startedAt: number, attempt: number, delayMs: number): void {
    if (this.now() + delayMs - startedAt > this.policy.waitMs) {
      this.log.info({ sessionId: watch.sessionId, attempts: attempt - 1, waitedSec: Math.round((this.now() - startedAt) / 1000) }, 'no session link from Intune in time: stopped watching');
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(watch.sessionId);
      // A scope of its own: the turn that started the watch is long over.
      const looking = withLogFields({ sessionId: watch.sessionId }, () => this.lookOnce(watch, startedAt, attempt)).finally(() => this.looking.delete(looking));
      this.looking.add(looking);
    }, delayMs);
    this.timers.set(watch.sessionId, timer);
  }

  private async lookOnce(watch: LinkWatch, startedAt: number, attempt: number): Promise<void> {
    let look: LinkLook;
    try {
      look = await this.look(watch);
    } catch (error) {
      // A bug, not Intune: looking again would only repeat it.
      this.log.error({ err: error, sessionId: watch.sessionId, attempt }, 'watching for the session link failed');
      return;
    }
    if (look.kind === 'done' || this.stopped) return;
    const backoff = Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** attempt);
    this.schedule(watch, startedAt, attempt + 1, Math.max(backoff, (look.afterSec ?? 0) * 1000));
  }
}
