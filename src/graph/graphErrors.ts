// Graph failures as one typed error the use cases and the bot can act on without reading HTTP.

export type GraphOperation = 'findDevices' | 'getDevice' | 'getAssistanceSession' | 'requestAssistance' | 'getUser' | 'findUsers' | 'listUserDevices' | 'report' | 'checkMembership';

export type GraphFailureKind =
  | 'unauthorized' // 401: our credential was refused
  | 'forbidden' // 403: a permission or an Intune role is missing
  | 'notFound' // 404
  | 'badRequest' // 400 and other 4xx: Graph refused what we sent
  | 'busy' // 429/503/504 still failing after our retries
  | 'unavailable' // 5xx, network failures
  | 'timeout'; // no answer within our deadline

/** The least permission each call needs, named to the admin on a 403 (graph-contract.md). */
const REQUIRED_PERMISSION: Record<GraphOperation, string> = {
  findDevices: 'DeviceManagementManagedDevices.Read.All',
  getDevice: 'DeviceManagementManagedDevices.Read.All',
  getAssistanceSession: 'DeviceManagementManagedDevices.Read.All',
  listUserDevices: 'DeviceManagementManagedDevices.Read.All',
  requestAssistance: 'DeviceManagementManagedDevices.ReadWrite.All',
  getUser: 'User.Read.All',
  findUsers: 'User.ReadBasic.All',
  report: 'DeviceManagementServiceConfig.Read.All',
  checkMembership: 'GroupMember.Read.All',
};

export class GraphFailure extends Error {
  constructor(
    readonly operation: GraphOperation,
    readonly kind: GraphFailureKind,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly requestId: string | undefined,
    /** Seconds Graph asked us to wait (Retry-After), when it said. */
    readonly retryAfterSec?: number,
    /** Why the app's sign-in failed (Entra's AADSTS error, an unreachable managed identity), for the log: the admin's first clue. */
    readonly signInFailure?: string,
  ) {
    super(`Graph ${operation} failed: ${status ?? 'no response'} ${code ?? ''}`.trim() + (signInFailure ? `: the app's sign-in failed: ${signInFailure}` : ''));
    this.name = 'GraphFailure';
  }

  get permission(): string {
    return REQUIRED_PERMISSION[this.operation];
  }

  /** A write Graph may have carried out although we saw no success: a timeout, a reset, a 5xx (not a 429). */
  get mayHaveActed(): boolean {
    return this.kind === 'timeout' || this.kind === 'unavailable' || (this.kind === 'busy' && this.status !== 429);
  }
}

function kindOf(status: number | undefined): GraphFailureKind {
  if (status === undefined || status < 0) return 'unavailable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 429 || status === 503 || status === 504) return 'busy';
  if (status >= 500) return 'unavailable';
  return 'badRequest';
}

export function retryAfterSeconds(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** @azure/identity errors meaning Entra refused our credential (a wrong secret, a deleted app). */
const CREDENTIAL_REFUSALS = ['AuthenticationRequiredError', 'AuthenticationError'];
/** The credential could not even ask (no managed identity endpoint answered): Intune is unreachable for us. */
const CREDENTIAL_UNAVAILABLE = 'CredentialUnavailableError';

/** Turns whatever the Graph client threw (GraphError, fetch failure, credential failure) into a GraphFailure. */
export function toGraphFailure(operation: GraphOperation, error: unknown): GraphFailure {
  if (error instanceof GraphFailure) return error;
  // A programming error is not an Intune outage: let it surface as the bug it is.
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) throw error;
  const e = error as { statusCode?: number; code?: string; requestId?: string; headers?: Headers; name?: string };
  // The Graph client reports network failures with statusCode -1; credential failures carry no status.
  const status = typeof e?.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : undefined;
  // The Graph client wraps a credential's failure in a GraphError whose code is the credential error's name.
  const credentialRefused = CREDENTIAL_REFUSALS.includes(e?.name ?? '') || CREDENTIAL_REFUSALS.includes(e?.code ?? '');
  const kind = credentialRefused ? 'unauthorized' : kindOf(status);
  const retryAfter = retryAfterSeconds(e?.headers?.get?.('Retry-After'));
  const signInFailed = credentialRefused || e?.name === CREDENTIAL_UNAVAILABLE || e?.code === CREDENTIAL_UNAVAILABLE;
  const signInFailure = signInFailed ? failureText(error) : undefined;
  return new GraphFailure(operation, kind, status, e?.code ?? undefined, e?.requestId ?? undefined, retryAfter, signInFailure);
}

/** Entra's answer as @azure/identity reports it (never the secret or assertion sent), anything token-like masked. */
function failureText(error: unknown): string | undefined {
  const message = (error as { message?: unknown })?.message;
  if (typeof message !== 'string' || !message) return undefined;
  return message.replace(/eyJ[\w-]*(\.[\w-]*){0,2}/g, '[token]').replace(/\s+/g, ' ').slice(0, 600);
}
