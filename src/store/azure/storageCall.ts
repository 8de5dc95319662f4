import { StoreUnavailableError } from '../ports';

/**
 * Longest one store or outbox operation may take, retries included. The SDK has no client-side timeout of
 * its own (a server that accepts and never answers would hold a Teams turn forever), so every call carries
 * this as its abort signal.
 */
const STORAGE_DEADLINE_MS = 4000;

export function storageDeadline(): AbortSignal {
  return AbortSignal.timeout(STORAGE_DEADLINE_MS);
}

/** The HTTP status of a storage SDK error (RestError); undefined when no response came back. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's own error code (x-ms-error-code), e.g. `ContainerNotFound`, `MessageNotFound`. */
export function storageCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A missing container or queue is a broken deployment, not a missing item: it must not read as "not found". */
export function isContainerMissing(error: unknown): boolean {
  return storageCodeOf(error) === 'ContainerNotFound';
}

/** Runs a storage call; any failure but those `isFine` accepts means storage is unavailable. */
export async function unavailableOnFailure(call: () => Promise<unknown>, isFine: (error: unknown) => boolean = () => false): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!isFine(error)) throw new StoreUnavailableError(error);
  }
}

export async function readText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
