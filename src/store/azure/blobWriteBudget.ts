import type { ContainerClient } from '@azure/storage-blob';
import { StoreUnavailableError, type BudgetTake, type WriteBudgetLedger } from '../ports';
import { readText, statusOf, storageDeadline } from './storageCall';

const BUDGET_BLOB = 'budget/intune-writes.json';
/** Instances racing for the same blob: each lost race reads it again. */
const ATTEMPTS = 8;

/**
 * The writes of the last window as one small blob (at most `limit` times), replaced only on the ETag read:
 * of instances taking at once, each write is counted once. Each instance asks for all the writes waiting
 * there at once, so the instances race once per batch rather than once per write.
 */
export class BlobWriteBudget implements WriteBudgetLedger {
  constructor(private readonly container: ContainerClient) {}

  async take(limit: number, windowMs: number, now: number, count: number, heldUntil: number): Promise<BudgetTake> {
    const taken = await this.change((writes) => {
      const recent = writes.filter((at) => at > now - windowMs).sort((a, b) => a - b);
      const room = Math.max(0, Math.min(count, limit - recent.length));
      const kept = [...recent, ...Array<number>(room).fill(heldUntil)];
      const result: BudgetTake = room === count ? { taken: room } : { taken: room, at: (kept.length ? Math.min(...kept) : now) + windowMs };
      return { writes: room ? kept : undefined, result };
    });
    // Lost every race: as good as full for now; the caller waits a moment and asks again.
    return taken ?? { taken: 0, at: now + 100 };
  }

  async settle(settled: Array<{ recorded: number; at: number }>): Promise<void> {
    await this.change((writes) => {
      const moved = [...writes];
      let changed = false;
      for (const w of settled) {
        const i = moved.indexOf(w.recorded);
        if (i >= 0) [moved[i], changed] = [w.at, true];
      }
      return { writes: changed ? moved : undefined, result: true };
    });
    // Lost every race: the writes stay counted until their deadline, longer than need be, never too short.
  }

  /** Reads the blob, applies `edit`, and writes the result back on the ETag read; undefined when every race was lost. */
  private async change<T>(edit: (writes: number[]) => { writes: number[] | undefined; result: T }): Promise<T | undefined> {
    const blob = this.container.getBlockBlobClient(BUDGET_BLOB);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const abortSignal = storageDeadline();
      let writes: number[] = [];
      let etag: string | undefined;
      try {
        const response = await blob.download(0, undefined, { abortSignal });
        writes = (JSON.parse(await readText(response.readableStreamBody)) as { writes: number[] }).writes;
        etag = response.etag;
      } catch (error) {
        if (statusOf(error) !== 404) throw new StoreUnavailableError(error);
      }
      const edited = edit(writes);
      if (!edited.writes) return edited.result;
      const body = JSON.stringify({ writes: edited.writes });
      try {
        await blob.upload(body, Buffer.byteLength(body), { conditions: etag ? { ifMatch: etag } : { ifNoneMatch: '*' }, abortSignal });
        return edited.result;
      } catch (error) {
        if (statusOf(error) !== 412 && statusOf(error) !== 409) throw new StoreUnavailableError(error);
      }
    }
    return undefined;
  }
}
