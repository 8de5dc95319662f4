import type { ContainerClient } from '@azure/storage-blob';
import { statusOf, storageDeadline } from '../storage/storageCall';
import { StoreUnavailableError } from './sessionStore';

/**
 * Remembers that something was done, across instances: the first `claim` of a key wins (a blob created
 * only if none exists). Teams retries slow turns with the same activity id and users double-click; a
 * claim per action keeps either from asking Intune twice. Entries are tiny; a storage lifecycle rule on
 * the `once/` prefix may delete them after a day.
 */
export class OnceLedger {
  constructor(private readonly container: ContainerClient) {}

  async claim(key: string): Promise<boolean> {
    try {
      await this.blob(key).upload('', 0, { conditions: { ifNoneMatch: '*' }, abortSignal: storageDeadline() });
      return true;
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) return false;
      throw new StoreUnavailableError(error);
    }
  }

  /** Gives a claim back when the action it guarded did not happen, so it can be tried again. */
  async release(key: string): Promise<void> {
    await this.blob(key).deleteIfExists({ abortSignal: storageDeadline() }).catch(() => undefined);
  }

  private blob(key: string) {
    return this.container.getBlockBlobClient(`once/${encodeURIComponent(key)}`);
  }
}
