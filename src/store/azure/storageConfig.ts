import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

// What the settings name lives in storageTarget.ts, free of the SDKs: a start without Azure Storage loads none of them.
export { storageTarget, type StorageSettings, type StorageTarget } from './storageTarget';
import type { StorageTarget } from './storageTarget';

export interface StorageClients {
  blobService: BlobServiceClient;
  queueService: QueueServiceClient;
}

/**
 * Two tries, at once: a Teams turn must be answered within seconds even when storage is down. The SDK's
 * defaults (4 tries, 4 s apart, growing to 2 min) would hold the turn far past Teams' patience.
 * `tryTimeoutInMs` only tells the service when to give up; the client-side bound is storageDeadline().
 */
const RETRY_OPTIONS = { maxTries: 2, tryTimeoutInMs: 3000, retryDelayInMs: 200, maxRetryDelayInMs: 1000 };

/** The blob client alone (the audit export reads sessions only: a SAS for blobs, without a queue endpoint, will do). */
export function blobServiceClient(target: StorageTarget, credential?: TokenCredential): BlobServiceClient {
  const options = { retryOptions: RETRY_OPTIONS };
  return target.kind === 'connectionString'
    ? BlobServiceClient.fromConnectionString(target.connectionString, options)
    : new BlobServiceClient(target.accountUrl, credential ?? new DefaultAzureCredential(), options);
}

/** Builds the blob and queue clients; an account URL signs in with `credential` (DefaultAzureCredential unless given). */
export function storageClients(target: StorageTarget, credential?: TokenCredential): StorageClients {
  const options = { retryOptions: RETRY_OPTIONS };
  switch (target.kind) {
    case 'connectionString':
      return {
        blobService: BlobServiceClient.fromConnectionString(target.connectionString, options),
        queueService: QueueServiceClient.fromConnectionString(target.connectionString, options),
      };
    case 'accountUrl': {
      const signIn = credential ?? new DefaultAzureCredential();
      return {
        blobService: new BlobServiceClient(target.accountUrl, signIn, options),
        queueService: new QueueServiceClient(target.queueUrl, signIn, options),
      };
    }
  }
}
