/** Who is waiting for a write: a technician in a chat goes before the report worker's backlog. */
export type WritePriority = 'interactive' | 'background';

/** The budget has no room within the wait allowed: the write could go at `at` (epoch ms). */
export class BudgetExhausted extends Error {
  constructor(readonly at: number) {
    super(`Intune's write budget is used up until ${new Date(at).toISOString()}`);
    this.name = 'BudgetExhausted';
  }
}

interface Waiter {
  admit(): void;
}

/**
 * Keeps this instance's Intune writes inside a budget of `limit` per `windowMs` (Intune allows an app
 * 200 writes per 20 s per tenant): a write waits for room rather than meeting a storm of 429s. One budget
 * for all: technicians' requests are admitted before queued reports, which use whatever is left.
 */
export class WritePacer {
  private readonly recent: number[] = [];
  private readonly queues: Record<WritePriority, Waiter[]> = { interactive: [], background: [] };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Resolves when a write may go, in order within each priority. Rejects at once with BudgetExhausted when it
   * could not go within `maxWaitMs`, so a turn can answer instead of waiting silently.
   */
  take(priority: WritePriority = 'background', maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const at = this.admissionTime(priority);
    if (at - this.now() > maxWaitMs) return Promise.reject(new BudgetExhausted(at));
    return new Promise((admit) => {
      this.queues[priority].push({ admit });
      this.pump();
    });
  }

  /** When a write asked now with this priority would go: behind the queue ahead of it, one window per `limit`. */
  private admissionTime(priority: WritePriority): number {
    const now = this.now();
    this.prune(now);
    const ahead = this.queues.interactive.length + (priority === 'background' ? this.queues.background.length : 0);
    const index = ahead - (this.limit - this.recent.length);
    if (index < 0) return now;
    const windows = Math.floor(index / this.limit);
    const slot = this.recent[index % this.limit] ?? now;
    return slot + this.windowMs * (windows + 1);
  }

  private pump(): void {
    const now = this.now();
    this.prune(now);
    while (this.recent.length < this.limit) {
      const next = this.queues.interactive.shift() ?? this.queues.background.shift();
      if (!next) return;
      this.recent.push(now);
      next.admit();
    }
    if (this.timer || !(this.queues.interactive.length || this.queues.background.length)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.recent[0] + this.windowMs - now);
    // Waiting writes do not keep a stopping process alive.
    this.timer.unref?.();
  }

  private prune(now: number): void {
    while (this.recent.length && this.recent[0] <= now - this.windowMs) this.recent.shift();
  }
}
