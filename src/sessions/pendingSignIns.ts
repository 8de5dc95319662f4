import type { ContainerClient } from '@azure/storage-blob';
import { statusOf, storageDeadline } from '../storage/storageCall';
import { StoreUnavailableError } from './sessionStore';

/** A request waiting for the technician's single sign-on token, keyed by the sign-in card's exchange id. */
export interface PendingRequest {
  exchangeId: string;
  tenantId: string;
  aadObjectId: string;
  conversationId: string;
  command: { kind: 'byName'; deviceName: string } | { kind: 'byId'; deviceId: string };
  createdAt: string;
}

/**
 * Pending requests as blobs beside the sessions. `take` reads and deletes on the ETag, so when Teams sends
 * the same token exchange twice, to one instance or two, exactly one of them gets the request.
 */
export class PendingSignIns {
  constructor(private readonly container: ContainerClient) {}

  async save(pending: PendingRequest): Promise<void> {
    const body = JSON.stringify(pending);
    try {
      await this.blob(pending.exchangeId).upload(body, Buffer.byteLength(body), { abortSignal: storageDeadline() });
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  }

  /** The pending request, once; undefined if unknown or already taken. */
  async take(exchangeId: string): Promise<PendingRequest | undefined> {
    const blob = this.blob(exchangeId);
    try {
      const read = await blob.downloadToBuffer(0, undefined, { abortSignal: storageDeadline() });
      const { etag } = await blob.getProperties({ abortSignal: storageDeadline() });
      await blob.delete({ conditions: { ifMatch: etag }, abortSignal: storageDeadline() });
      return JSON.parse(read.toString('utf8')) as PendingRequest;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 412) return undefined;
      throw new StoreUnavailableError(error);
    }
  }

  private blob(exchangeId: string) {
    return this.container.getBlockBlobClient(`pending-sign-in/${encodeURIComponent(exchangeId)}.json`);
  }
}
