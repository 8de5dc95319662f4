import type { Delivery } from '../assist/deliverReport';
import { withLogFields, type Logger } from '../log';

/** One queued report as the worker sees it (the outbox's message). */
export interface QueuedReport {
  sessionId: string;
  /** 1 on the first delivery; the queue counts them, so it survives restarts. */
  attempt: number;
}

export interface ReportSource<M extends QueuedReport> {
  receive(max: number, visibilityTimeoutSec: number): Promise<M[]>;
  complete(message: M): Promise<void>;
  retryLater(message: M, delaySec: number): Promise<void>;
}

export interface ReportWorkerOptions {
  /** Reports in hand at once. */
  batchSize: number;
  /** How long a received message stays hidden; if we crash, it comes back after this. */
  visibilityTimeoutSec: number;
  /** Pause between polls of an empty queue (cut short by wake()). */
  idleMs: number;
}

/** The longest pause before a message whose delivery keeps failing outside Graph is tried again. */
const MAX_INTERRUPTED_DELAY_SEC = 300;


/**
 * Polls the outbox and hands each message to the delivery use case. Every instance runs one; the
 * queue's visibility timeout and the session's lease keep them from sending a report twice.
 */
export class ReportWorker<M extends QueuedReport> {
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly source: ReportSource<M>,
    private readonly deliver: (sessionId: string, attempt: number) => Promise<Delivery>,
    private readonly log: Logger,
    private readonly options: ReportWorkerOptions,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** A report was just queued here: look now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Finishes the messages in hand, then stops polling. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  private async loop(): Promise<void> {
    // A pool rather than batch by batch: one slow report (a Retry-After) must not hold up the others.
    const inHand = new Set<Promise<void>>();
    while (!this.stopping) {
      if (inHand.size >= this.options.batchSize) {
        await Promise.race(inHand);
        continue;
      }
      let received: M[] = [];
      try {
        received = await this.source.receive(this.options.batchSize - inHand.size, this.options.visibilityTimeoutSec);
      } catch (error) {
        this.log.warn({ err: error }, 'report queue unreachable; will poll again');
        await this.pause(this.options.idleMs * 5);
        continue;
      }
      for (const message of received) {
        const handling = withLogFields({ sessionId: message.sessionId }, () => this.handle(message)).finally(() => inHand.delete(handling));
        inHand.add(handling);
      }
      if (received.length === 0) await this.pause(this.options.idleMs);
    }
    await Promise.all(inHand);
  }

  private async handle(message: M): Promise<void> {
    try {
      const delivery = await this.deliver(message.sessionId, message.attempt);
      if (delivery.outcome === 'done') await this.source.complete(message);
      else await this.source.retryLater(message, delivery.afterSec);
    } catch (error) {
      // Storage or an unexpected failure: the message comes back, later and later, and is never dropped.
      this.log.warn({ err: error, sessionId: message.sessionId, attempt: message.attempt }, 'report delivery interrupted');
      const delaySec = Math.min(MAX_INTERRUPTED_DELAY_SEC, this.options.visibilityTimeoutSec * message.attempt);
      await this.source.retryLater(message, delaySec).catch(() => undefined);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
