import type { Metrics } from '../telemetry/metrics';

/** Who is waiting for a write: a technician in a chat goes before the report worker's backlog. */
export type WritePriority = 'interactive' | 'background';

/** The budget has no room within the wait allowed: the write could go at `at` (epoch ms). */
export class BudgetExhausted extends Error {
  constructor(readonly at: number) {
    super(`Intune's write budget is used up until ${new Date(at).toISOString()}`);
    this.name = 'BudgetExhausted';
  }
}

/** A write that waited for the budget was no longer wanted when room came: nothing was sent. */
export class WriteGivenUp extends Error {
  constructor() {
    super('The write was given up while it waited for Intune\'s write budget');
    this.name = 'WriteGivenUp';
  }
}

/** The budget as counted by every instance (the store's ledger fits this shape). */
export interface SharedBudget {
  take(limit: number, windowMs: number, now: number): Promise<{ taken: true } | { taken: false; at: number }>;
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

  /**
   * `shared`: the budget as every instance sharing the store counts it (Intune's limit is per app and tenant,
   * not per instance); this instance's own count orders its writes and keeps them in budget when the store
   * cannot be asked.
   */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly shared?: { ledger: SharedBudget; onUnavailable(error: unknown): void },
    /** Told of every write that had to wait for room, and for how long. */
    private readonly metrics: Pick<Metrics, 'budgetWait'> = { budgetWait: () => undefined },
  ) {}

  /**
   * Resolves when a write may go, in order within each priority. Rejects at once with BudgetExhausted when it
   * could not go within `maxWaitMs`, so a turn can answer instead of waiting silently.
   */
  async take(priority: WritePriority = 'background', maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const asked = this.now();
    const at = this.admissionTime(priority);
    if (at - asked > maxWaitMs) throw new BudgetExhausted(at);
    const waited = await this.admit(priority, at > asked, asked, maxWaitMs);
    if (waited) this.metrics.budgetWait(priority, this.now() - asked);
  }

  /** Waits for this instance's slot, then for the shared budget; says whether the write had to wait at all. */
  private async admit(priority: WritePriority, waited: boolean, asked: number, maxWaitMs: number): Promise<boolean> {
    await new Promise<void>((admit) => {
      this.queues[priority].push({ admit });
      this.pump();
    });
    if (!this.shared) return waited;
    for (;;) {
      let taken: Awaited<ReturnType<SharedBudget['take']>>;
      try {
        taken = await this.shared.ledger.take(this.limit, this.windowMs, this.now());
      } catch (error) {
        this.shared.onUnavailable(error);
        return waited;
      }
      if (taken.taken) return waited;
      // Other instances used the budget: the local slot goes back, and the write waits (or the turn answers).
      if (taken.at - asked > maxWaitMs) {
        this.recent.pop();
        throw new BudgetExhausted(taken.at);
      }
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, taken.at - this.now())).unref?.());
    }
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
