// Which Azure Storage account the settings name, if any. No SDK here: src/store/openStore.ts reads this on
// every start and loads the Azure engine (and its SDKs, most of a second to load) only when an account is named.

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
