import type { TokenCredential } from '@azure/identity';
import type { ExpiryTimes, Store } from '../ports';
import { BlobOnceLedger, BlobPendingSignIns, expireClaims } from './blobClaims';
import { BlobSessionStore } from './blobSessionStore';
import { BlobWriteBudget } from './blobWriteBudget';
import { QueueOutbox, REPORTS_QUEUE } from './queueOutbox';
import { storageClients, type StorageTarget } from './storageConfig';
import { storageDeadline, unavailableOnFailure } from './storageCall';

/** The container of sessions and of what else is kept beside them (claims, parked sign-ins). */
export const SESSIONS_CONTAINER = 'sessions';

/**
 * Azure Storage, for several instances: sessions and claims as blobs in one container (conditional writes
 * on the ETag), the report outbox as a queue. Creates both if missing; throws StoreUnavailableError when
 * the account cannot be reached.
 */
export async function openAzureStore(target: StorageTarget, options: { credential?: TokenCredential; log?: (message: string) => void } = {}): Promise<Store> {
  const { blobService, queueService } = storageClients(target, options.credential);
  const container = blobService.getContainerClient(SESSIONS_CONTAINER);
  const queue = queueService.getQueueClient(REPORTS_QUEUE);
  await Promise.all([
    unavailableOnFailure(() => container.createIfNotExists({ abortSignal: storageDeadline() })),
    unavailableOnFailure(() => queue.createIfNotExists({ abortSignal: storageDeadline() })),
  ]);
  return {
    engine: 'azure',
    sessions: new BlobSessionStore(container),
    outbox: new QueueOutbox(queue, options.log),
    once: new BlobOnceLedger(container),
    signIns: new BlobPendingSignIns(container),
    writeBudget: new BlobWriteBudget(container),
    ping: async () => {
      await Promise.all([
        unavailableOnFailure(() => container.getProperties({ abortSignal: storageDeadline() })),
        unavailableOnFailure(() => queue.getProperties({ abortSignal: storageDeadline() })),
      ]);
    },
    expire: (ttl: ExpiryTimes) => {
      const now = Date.now();
      return expireClaims(container, { once: new Date(now - ttl.onceClaimSec * 1000), pending: new Date(now - ttl.pendingSignInSec * 1000) });
    },
    close: async () => {},
  };
}
