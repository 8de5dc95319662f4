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
 * Pending requests as blobs beside the sessions. `take` deletes on the ETag read, so when Teams sends the
 * same token exchange twice, to one instance or two, exactly one of them gets the request.
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

  /** The pending request and the version it was read at; undefined if unknown or already taken. */
  async read(exchangeId: string): Promise<{ pending: PendingRequest; etag: string } | undefined> {
    try {
      const download = await this.blob(exchangeId).download(0, undefined, { abortSignal: storageDeadline() });
      const body = await streamToString(download.readableStreamBody!);
      return { pending: JSON.parse(body) as PendingRequest, etag: download.etag! };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new StoreUnavailableError(error);
    }
  }

  /** Removes the request if it is still at `etag`: true for exactly one of several concurrent takers. */
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
    return this.container.getBlockBlobClient(`pending-sign-in/${encodeURIComponent(exchangeId)}.json`);
  }
}

async function streamToString(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
