import { randomUUID } from 'node:crypto';
import { decode } from 'jsonwebtoken';
import type { IntuneGraph } from '../graph/types';
import type { OnceLedger, PendingRequest, PendingSignIns } from '../store/ports';
import type { Caller } from './caller';
import type { StartOutcome } from './outcomes';
import { onceKeyOf, type StartAssistance } from './startAssistance';

const EXCHANGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long a sign-in card stays good for the request it was sent for. */
const PENDING_TTL_MS = 10 * 60_000;

/** `duplicate`: another exchange (or instance) already took the request; `stale`: it waited too long. */
export type ResumeOutcome = StartOutcome | { kind: 'duplicate' } | { kind: 'stale' } | { kind: 'wrongUser' };

/**
 * With single sign-on, remote assistance is requested as the technician: the request waits (in storage,
 * for whichever instance gets the token) until Teams exchanges the technician's token, then runs with a
 * Graph client acting on behalf of them.
 */
export class SignedInStart {
  constructor(
    private readonly pending: PendingSignIns,
    private readonly start: StartAssistance,
    private readonly graphAs: (userToken: string) => IntuneGraph,
    private readonly once: OnceLedger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Parks the request; the returned id goes on the sign-in card. Undefined when this message or choice card
   * was parked already (a Teams retry, a double click): one sign-in card, one request to Intune.
   */
  async defer(caller: Caller, command: PendingRequest['command']): Promise<string | undefined> {
    const key = onceKeyOf(caller, command.kind);
    if (!(await this.once.claim(key))) return undefined;
    const exchangeId = randomUUID();
    try {
      await this.pending.save({
        exchangeId,
        tenantId: caller.tenantId,
        aadObjectId: caller.aadObjectId,
        conversationId: caller.conversationId,
        command,
        createdAt: this.now().toISOString(),
      });
    } catch (error) {
      await this.once.release(key);
      throw error;
    }
    return exchangeId;
  }

  /** A sign-in finished through the card's button: true the first time it is reported, on any instance. */
  async signedIn(caller: Caller, state: unknown): Promise<boolean> {
    const key = typeof state === 'string' && state ? state.slice(0, 64) : caller.activityId;
    return this.once.claim(`verify:${caller.conversationId}:${caller.aadObjectId}:${key}`);
  }

  /**
   * Graph as the technician, for a token Teams sent with a card action (Universal Actions single sign-on);
   * undefined unless the token names this very person and tenant (Entra checks its signature when exchanging it).
   */
  graphFor(caller: Caller, userToken: unknown): IntuneGraph | undefined {
    if (typeof userToken !== 'string' || !userToken) return undefined;
    const claims = tokenClaims(userToken);
    return claims?.oid === caller.aadObjectId && claims?.tid === caller.tenantId ? this.graphAs(userToken) : undefined;
  }

  async resume(caller: Caller, exchangeId: unknown, userToken: unknown): Promise<ResumeOutcome> {
    if (typeof exchangeId !== 'string' || !EXCHANGE_ID.test(exchangeId) || typeof userToken !== 'string' || !userToken) return { kind: 'duplicate' };
    const read = await this.pending.read(exchangeId);
    if (!read) return { kind: 'duplicate' };
    const { pending, etag } = read;
    // The token must be the clicking technician's own: Entra checks its signature in the exchange, we check
    // that it names the person, tenant and conversation of the request. Someone else's exchange leaves the
    // request where it is, for its technician.
    const claims = tokenClaims(userToken);
    if (claims?.oid !== caller.aadObjectId || claims?.tid !== caller.tenantId || pending.aadObjectId !== caller.aadObjectId || pending.conversationId !== caller.conversationId) {
      return { kind: 'wrongUser' };
    }
    if (!(await this.pending.take(exchangeId, etag))) return { kind: 'duplicate' };
    if (Date.parse(pending.createdAt) < this.now().getTime() - PENDING_TTL_MS) return { kind: 'stale' };
    const asTechnician = this.graphAs(userToken);
    const { command } = pending;
    if (command.kind === 'byId') return this.start.byId(caller, command.deviceId, asTechnician);
    return this.start.byTarget(caller, command.anyone ? { kind: 'anyone', text: command.deviceName } : { kind: 'device', name: command.deviceName }, asTechnician);
  }
}

/**
 * The claims of a JWT, unverified (Entra verifies it when exchanging it); undefined if it is not one: not three
 * base64url parts, or a header or payload that is not JSON (jsonwebtoken's decode, the library botbuilder's own
 * token validation uses).
 */
function tokenClaims(token: string): Record<string, unknown> | undefined {
  try {
    return decode(token, { json: true }) ?? undefined;
  } catch {
    return undefined; // a payload that is not JSON
  }
}
