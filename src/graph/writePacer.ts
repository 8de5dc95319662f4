/**
 * Keeps this instance's Intune writes inside a budget of `limit` per `windowMs` (Intune allows an app
 * 200 writes per 20 s per tenant): a write waits for room rather than meeting a storm of 429s.
 */
export class WritePacer {
  private readonly recent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a write may go; writes are admitted in the order they asked. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.admit());
    this.queue = turn;
    return turn;
  }

  private async admit(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.recent.length && this.recent[0] <= now - this.windowMs) this.recent.shift();
      if (this.recent.length < this.limit) {
        this.recent.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.recent[0] + this.windowMs - now));
    }
  }
}
