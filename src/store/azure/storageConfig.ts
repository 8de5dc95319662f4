import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

/** The Azure Storage account sessions and the report outbox live in. */
export type StorageTarget =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'accountUrl'; accountUrl: string; queueUrl: string };

/** The storage settings as configured (the caller reads the environment). */
export interface StorageSettings {
  connectionString?: string;
  /**
   * The account's blob endpoint, e.g. https://acct.blob.core.windows.net; signed in with the credential given
   * (the managed identity of MANAGED_IDENTITY_CLIENT_ID), else DefaultAzureCredential.
   */
  accountUrl?: string;
  /** Only where it cannot be derived from `accountUrl` (custom domain, path-style emulator URL). */
  queueUrl?: string;
}

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

/** The account the settings name, if any; throws, saying why, when they are contradictory or malformed. */
export function storageTarget(settings: StorageSettings): StorageTarget | undefined {
  const connectionString = settings.connectionString?.trim() || undefined;
  const accountUrl = settings.accountUrl?.trim().replace(/\/+$/, '') || undefined;
  if (connectionString && accountUrl) throw new Error('Set either a storage connection string or a storage account URL, not both');
  if (connectionString) return { kind: 'connectionString', connectionString };
  if (accountUrl) return { kind: 'accountUrl', accountUrl, queueUrl: settings.queueUrl?.trim().replace(/\/+$/, '') || queueUrlFor(accountUrl) };
  return undefined;
}

/** https://acct.blob.core.windows.net → https://acct.queue.core.windows.net (any cloud's suffix). */
function queueUrlFor(accountUrl: string): string {
  let url: URL;
  try {
    url = new URL(accountUrl);
  } catch {
    throw new Error(`The storage account URL is not a URL (got "${accountUrl}")`);
  }
  const labels = url.hostname.split('.');
  if (labels[1] !== 'blob') {
    throw new Error(`Cannot tell the queue endpoint from the storage account URL "${accountUrl}": expected https://<account>.blob.<suffix>, or give the queue URL too`);
  }
  labels[1] = 'queue';
  url.hostname = labels.join('.');
  return url.toString().replace(/\/+$/, '');
}

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
