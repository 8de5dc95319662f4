import type { Logger } from '../log';

export interface SweepTask {
  name: string;
  run(): Promise<number>;
}

/**
 * Runs housekeeping every `everyMs` (queue stranded reports again, expire claims), one round at a time.
 * Every instance runs one; the tasks are safe to run concurrently with other instances.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  constructor(
    private readonly tasks: SweepTask[],
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.round ??= this.sweep().finally(() => (this.round = undefined));
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  private async sweep(): Promise<void> {
    for (const task of this.tasks) {
      try {
        const count = await task.run();
        if (count) this.log.info({ task: task.name, count }, 'sweep');
      } catch (error) {
        this.log.warn({ err: error, task: task.name }, 'sweep task failed; will try at the next round');
      }
    }
  }
}
