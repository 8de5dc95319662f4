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

/**
 * The budget as counted by every instance (the store's ledger fits this shape). `take` records up to `count`
 * writes, each at `heldUntil`, and says how many it recorded and, when not all, when there is room again;
 * `settle` moves writes recorded at `recorded` to when their answer came.
 */
export interface SharedBudget {
  take(limit: number, windowMs: number, now: number, count: number, heldUntil: number): Promise<{ taken: number; at?: number }>;
  settle(writes: Array<{ recorded: number; at: number }>): Promise<void>;
}

/** Called once the write's answer came (or it failed or was never sent): its place in the window is then known. */
export type WriteDone = () => void;

interface Waiter {
  admit(): void;
}

interface SharedWaiter {
  priority: WritePriority;
  asked: number;
  maxWaitMs: number;
  holdMs: number;
  /** Other instances had used the budget: it waited for room. */
  deferred?: boolean;
  /** With the time the ledger recorded the write at; undefined when the ledger could not be asked. */
  admit(recorded: number | undefined, deferred: boolean): void;
  refuse(error: BudgetExhausted): void;
}

const BY_PRIORITY: Record<WritePriority, number> = { interactive: 0, background: 1 };

/**
 * Keeps this instance's Intune writes inside a budget of `limit` per `windowMs` (Intune allows an app
 * 200 writes per 20 s per tenant): a write waits for room rather than meeting a storm of 429s. One budget
 * for all: technicians' requests are admitted before queued reports, which use whatever is left.
 *
 * Intune counts a write when it arrives, which is some time after we took the budget for it (a busy event
 * loop, a slow connection): a write taken at the start of a window may arrive late, and the one that takes
 * its place 20 s later may arrive early, both in Intune's window. So a write is counted in the shared ledger
 * until its answer came, which is after it arrived (until the call's deadline, while it has not), and one
 * window after that.
 */
export class WritePacer {
  private readonly recent: number[] = [];
  private readonly queues: Record<WritePriority, Waiter[]> = { interactive: [], background: [] };
  private timer: NodeJS.Timeout | undefined;
  /** Writes admitted here and waiting for the shared ledger: asked together, so instances race once per batch. */
  private readonly sharedWaiters: SharedWaiter[] = [];
  private asking = false;
  /** When the shared ledger last said there is room again (epoch ms), while it is full. */
  private fullUntil = 0;
  private readonly settling: Array<{ recorded: number; at: number }> = [];
  private settlingNow = false;
  /** Takes and settles go to the ledger one after another: at the same time they would race each other for its ETag. */
  private lane: Promise<unknown> = Promise.resolve();

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
   * Resolves when a write may go, in order within each priority, with what to call once its answer came.
   * Rejects at once with BudgetExhausted when it could not go within `maxWaitMs`, so a turn can answer
   * instead of waiting silently. `holdMs`: the longest the write may take to be answered (its deadline).
   */
  async take(priority: WritePriority = 'background', maxWaitMs = Number.POSITIVE_INFINITY, holdMs = 0): Promise<WriteDone> {
    const asked = this.now();
    const at = this.admissionTime(priority);
    if (at - asked > maxWaitMs) throw new BudgetExhausted(at);
    await new Promise<void>((admit) => {
      this.queues[priority].push({ admit });
      this.pump();
    });
    const { recorded, deferred } = await this.takeShared(priority, asked, maxWaitMs, holdMs);
    if (at > asked || deferred) this.metrics.budgetWait(priority, this.now() - asked);
    if (recorded === undefined) return () => undefined;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // Later than recorded too: a call that started late (a busy process) may have arrived after it.
      this.settle(recorded, this.now());
    };
  }

  /** The write's place in the shared ledger (none without one, or when it could not be asked), and whether it waited for it. */
  private async takeShared(priority: WritePriority, asked: number, maxWaitMs: number, holdMs: number): Promise<{ recorded?: number; deferred: boolean }> {
    if (!this.shared) return { deferred: false };
    if (this.fullUntil - this.now() > maxWaitMs) {
      this.recent.pop();
      throw new BudgetExhausted(this.fullUntil);
    }
    return new Promise((resolve, refuse) => {
      this.sharedWaiters.push({ priority, asked, maxWaitMs, holdMs, admit: (recorded, deferred) => resolve({ recorded, deferred }), refuse });
      void this.askShared();
    });
  }

  /** One ledger call at a time for every write waiting here; those it has no room for wait and ask again. */
  private async askShared(): Promise<void> {
    if (this.asking || !this.shared) return;
    this.asking = true;
    try {
      while (this.sharedWaiters.length) {
        const batch = this.sharedWaiters.splice(0).sort((a, b) => BY_PRIORITY[a.priority] - BY_PRIORITY[b.priority]);
        const hold = Math.max(...batch.map((w) => w.holdMs));
        // The time is read once the lane is free: a settle before it may have taken a while.
        let now = this.now();
        let heldUntil = now + hold;
        let taken: { taken: number; at?: number };
        try {
          const { ledger } = this.shared;
          taken = await this.inLane(() => {
            now = this.now();
            heldUntil = now + hold;
            return ledger.take(this.limit, this.windowMs, now, batch.length, heldUntil);
          });
        } catch (error) {
          this.shared.onUnavailable(error);
          for (const w of batch) w.admit(undefined, Boolean(w.deferred));
          continue;
        }
        for (const w of batch.slice(0, taken.taken)) w.admit(heldUntil, Boolean(w.deferred));
        const left = batch.slice(taken.taken);
        if (!left.length) {
          this.fullUntil = 0;
          continue;
        }
        // Other instances used the budget: a write that cannot wait that long gives its local slot back and
        // is refused (the turn answers); the others wait for the room and ask again, ahead of later ones.
        const at = taken.at ?? now + 100;
        this.fullUntil = at;
        const waiting = left.filter((w) => {
          w.deferred = true;
          if (at - w.asked <= w.maxWaitMs) return true;
          this.recent.pop();
          w.refuse(new BudgetExhausted(at));
          return false;
        });
        this.sharedWaiters.unshift(...waiting);
        if (waiting.length) await new Promise((resolve) => setTimeout(resolve, Math.max(10, at - this.now())).unref?.());
      }
    } finally {
      this.asking = false;
    }
  }

  /** Moves a write's place in the shared window to when its answer came; batched, one ledger call at a time. */
  private settle(recorded: number, at: number): void {
    if (!this.shared || at === recorded) return;
    this.settling.push({ recorded, at });
    if (this.settlingNow) return;
    this.settlingNow = true;
    void (async () => {
      try {
        while (this.settling.length) {
          // Not settled (the store could not be asked), a write counts until its deadline.
          const moved = this.settling.splice(0);
          await this.inLane(() => this.shared!.ledger.settle(moved)).catch((error) => this.shared!.onUnavailable(error));
        }
      } finally {
        this.settlingNow = false;
      }
    })();
  }

  private inLane<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lane.then(work);
    this.lane = result.catch(() => undefined);
    return result;
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
