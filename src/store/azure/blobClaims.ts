import type { ContainerClient } from '@azure/storage-blob';
import { StoreUnavailableError, type OnceLedger, type PendingRequest, type PendingSignIns } from '../ports';
import { readText, statusOf, storageDeadline } from './storageCall';

const ONCE_PREFIX = 'once/';
const PENDING_PREFIX = 'pending-sign-in/';

/** Once-claims as empty blobs created only if none exists: of several claimers, one creates it. */
export class BlobOnceLedger implements OnceLedger {
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

  async release(key: string): Promise<void> {
    await this.blob(key).deleteIfExists({ abortSignal: storageDeadline() }).catch(() => undefined);
  }

  private blob(key: string) {
    return this.container.getBlockBlobClient(`${ONCE_PREFIX}${encodeURIComponent(key)}`);
  }
}

/**
 * Parked requests as blobs beside the sessions. `take` deletes on the ETag read, so when Teams sends the
 * same token exchange twice, to one instance or two, exactly one of them gets the request.
 */
export class BlobPendingSignIns implements PendingSignIns {
  constructor(private readonly container: ContainerClient) {}

  async save(pending: PendingRequest): Promise<void> {
    const body = JSON.stringify(pending);
    try {
      await this.blob(pending.exchangeId).upload(body, Buffer.byteLength(body), { abortSignal: storageDeadline() });
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  }

  async read(exchangeId: string): Promise<{ pending: PendingRequest; etag: string } | undefined> {
    try {
      // One download: the body and the ETag it was read at.
      const download = await this.blob(exchangeId).download(0, undefined, { abortSignal: storageDeadline() });
      return { pending: JSON.parse(await readText(download.readableStreamBody)) as PendingRequest, etag: download.etag! };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new StoreUnavailableError(error);
    }
  }

  async take(exchangeId: string, etag: string): Promise<boolean> {
    try {
      await this.blob(exchangeId).delete({ conditions: { ifMatch: etag }, abortSignal: storageDeadline() });
      return true;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 412) return false;
      throw new StoreUnavailableError(error);
    }
  }

  private blob(exchangeId: string) {
    return this.container.getBlockBlobClient(`${PENDING_PREFIX}${encodeURIComponent(exchangeId)}.json`);
  }
}

/** Deletes the claims and parked requests last written before their cut-off; returns how many. */
export async function expireClaims(container: ContainerClient, cutOff: { once: Date; pending: Date }): Promise<number> {
  let removed = 0;
  try {
    for (const [prefix, before] of [[ONCE_PREFIX, cutOff.once], [PENDING_PREFIX, cutOff.pending]] as const) {
      for await (const item of container.listBlobsFlat({ prefix })) {
        if (item.properties.lastModified >= before) continue;
        // Only the version we listed: a claim renewed since is kept.
        await container.getBlockBlobClient(item.name).delete({ conditions: { ifMatch: item.properties.etag } }).then(
          () => removed++,
          (error) => {
            if (statusOf(error) !== 404 && statusOf(error) !== 412) throw error;
          },
        );
      }
    }
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
  return removed;
}
