import type { ContainerClient } from '@azure/storage-blob';
import { StoreUnavailableError, type BudgetTake, type WriteBudgetLedger } from '../ports';
import { readText, statusOf, storageDeadline } from './storageCall';

const BUDGET_BLOB = 'budget/intune-writes.json';
/** Instances racing for the same blob: each lost race reads it again. */
const ATTEMPTS = 8;

/**
 * The writes of the last window as one small blob (at most `limit` times), replaced only on the ETag read:
 * of instances taking at once, each write is counted once.
 */
export class BlobWriteBudget implements WriteBudgetLedger {
  constructor(private readonly container: ContainerClient) {}

  async take(limit: number, windowMs: number, now: number): Promise<BudgetTake> {
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
      const recent = writes.filter((at) => at > now - windowMs).sort((a, b) => a - b);
      if (recent.length >= limit) return { taken: false, at: recent[0] + windowMs };
      const body = JSON.stringify({ writes: [...recent, now] });
      try {
        await blob.upload(body, Buffer.byteLength(body), { conditions: etag ? { ifMatch: etag } : { ifNoneMatch: '*' }, abortSignal });
        return { taken: true };
      } catch (error) {
        if (statusOf(error) !== 412 && statusOf(error) !== 409) throw new StoreUnavailableError(error);
      }
    }
    // Lost every race: as good as full for now; the caller waits a moment and asks again.
    return { taken: false, at: now + 100 };
  }
}
