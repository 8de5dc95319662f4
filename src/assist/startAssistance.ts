import { randomUUID } from 'node:crypto';
import { addLogFields, type Logger } from '../log';
import { GraphFailure } from '../graph/graphErrors';
import type { DirectoryUser, IntuneGraph, ManagedDevice, WriteOptions } from '../graph/types';
import { BudgetExhausted } from '../graph/writePacer';
import type { CardAddress, Session, WaitingOwner } from '../sessions/session';
import { SessionConflictError, StoreUnavailableError, type OnceLedger, type SessionStore, type StoredSession } from '../store/ports';
import type { Caller } from './caller';
import type { AbandonReason, StartOutcome } from './outcomes';
import { defaultInputs } from './sessionInput';
import { technicianContext, type TechnicianContext } from './technicianContext';

/** Longest device name we look up; Intune names are far shorter. */
const MAX_DEVICE_NAME = 128;
const DEVICE_ID = /^[A-Za-z0-9-]{1,64}$/;
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Looks like a UPN or an e-mail address: then "help me with X" is always about a person. */
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/**
 * Who or what "help me with …" is about: `device` when the writer said "device"; `anyone` otherwise, read as
 * a person (an address, or a display name) or a device (a device of that name).
 */
export type Target = { kind: 'device'; name: string } | { kind: 'anyone'; text: string };

const clip = (text: string) => text.trim().slice(0, MAX_DEVICE_NAME);

/**
 * What makes a request one request: the message (Teams retries a slow turn with its id), or the choice card
 * (one session per card, however often its buttons are clicked).
 */
export function onceKeyOf(caller: Caller, kind: 'byName' | 'byId'): string {
  return kind === 'byId' && caller.replyToId ? `pick:${caller.conversationId}:${caller.replyToId}` : `turn:${caller.conversationId}:${caller.activityId}`;
}

/** How long past the time first said a request waiting for write budget is given up (the budget is shared: room can come later). */
export const WAIT_GIVE_UP_MS = 60_000;

export class StartAssistance {
  /** Requests waiting for write budget, each with a way to give it up. */
  private readonly waiting = new Set<(reason: AbandonReason) => void>();

  constructor(
    private readonly graph: IntuneGraph,
    private readonly store: SessionStore,
    private readonly once: OnceLedger,
    private readonly log: Logger,
    /** The device's page in the Intune admin center, for the card's "Open in Intune". */
    private readonly devicePage: (deviceId: string) => string,
    /** This process, named on the requests it holds while they wait for write budget. */
    private readonly owner: WaitingOwner,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * "help me with device X": one device of that name starts a session, several ask the technician to pick;
   * none offers the devices whose names contain X, and nothing is requested until one is picked.
   * `requester` is the Graph client that asks Intune: the technician's own with single sign-on.
   */
  async byName(caller: Caller, deviceName: string, requester: IntuneGraph = this.graph): Promise<StartOutcome> {
    const name = clip(deviceName);
    const devices = await this.graph.findDevicesByName(name);
    if (devices.length === 1) return this.on(caller, devices[0], requester, onceKeyOf(caller, 'byName'));
    if (devices.length > 1) return { kind: 'ambiguous', deviceName: name, devices };
    return (await this.containing(name)) ?? { kind: 'notFound', deviceName: name };
  }

  /**
   * "help me with X": a person when X is an address; a device when one has that name; else the people
   * whose names start with X; else the devices whose names contain it.
   */
  async byTarget(caller: Caller, target: Target, requester: IntuneGraph = this.graph): Promise<StartOutcome> {
    if (target.kind === 'device') return this.byName(caller, target.name, requester);
    const text = clip(target.text);
    if (ADDRESS.test(text)) return this.person(text, await this.graph.findUsersByAddress(text));
    const devices = await this.graph.findDevicesByName(text);
    if (devices.length === 1) return this.on(caller, devices[0], requester, onceKeyOf(caller, 'byName'));
    if (devices.length > 1) return { kind: 'ambiguous', deviceName: text, devices };
    const people = await this.graph.findUsersByName(text);
    if (people.length) return this.person(text, people);
    return (await this.containing(text)) ?? { kind: 'nobody', text };
  }

  /** A person picked from several: their devices. The id comes from a card, so it is checked and re-read. */
  async byPerson(userId: unknown): Promise<StartOutcome> {
    if (typeof userId !== 'string' || !USER_ID.test(userId)) return { kind: 'nobody', text: '' };
    try {
      return await this.person('', [await this.graph.getUser(userId)]);
    } catch (error) {
      if (error instanceof GraphFailure && error.kind === 'notFound') return { kind: 'nobody', text: '' };
      throw error;
    }
  }

  private async person(text: string, people: DirectoryUser[]): Promise<StartOutcome> {
    if (people.length === 0) return { kind: 'nobody', text };
    if (people.length > 1) return { kind: 'people', text, people };
    const person = people[0];
    // Re-checked: a device listed under a person must be theirs.
    const devices = (await this.graph.listUserDevices(person.id)).filter((d) => d.userId === person.id);
    return { kind: 'personDevices', person, devices };
  }

  private async containing(text: string): Promise<StartOutcome | undefined> {
    const devices = await this.graph.findDevicesContaining(text);
    return devices.length ? { kind: 'ambiguous', deviceName: text, devices, partial: true } : undefined;
  }

  /** The technician picked one device of several; the id comes from a card, so it is checked and re-read. */
  async byId(caller: Caller, deviceId: unknown, requester: IntuneGraph = this.graph): Promise<StartOutcome> {
    if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) return { kind: 'notFound', deviceName: '' };
    try {
      return await this.on(caller, await this.graph.getDevice(deviceId), requester, onceKeyOf(caller, 'byId'));
    } catch (error) {
      if (error instanceof GraphFailure && error.kind === 'notFound') return { kind: 'notFound', deviceName: '' };
      throw error;
    }
  }

  private async on(caller: Caller, device: ManagedDevice, requester: IntuneGraph, onceKey: string): Promise<StartOutcome> {
    // A message acted on already (a Teams retry, a double click) is answered before anything else is read.
    if (!(await this.once.claim(onceKey))) return { kind: 'repeated' };
    // What the card offers (the technician's devices, the type last reported) is read while Intune is asked:
    // it never fails, and with a slow Graph a start then takes two calls' time, not three.
    const context = technicianContext(this.graph, this.store, caller, this.log);
    try {
      return await this.ask(caller, device, requester, onceKey, context, {});
    } catch (error) {
      if (!(error instanceof BudgetExhausted)) throw error;
      return this.waitForBudget(caller, device, requester, onceKey, await context, error.at);
    }
  }

  /** Gives up every request still waiting for write budget (the process is stopping): none of them is made. */
  abandonWaiting(): void {
    for (const giveUp of this.waiting) giveUp('stopping');
    this.waiting.clear();
  }

  /** Where the message saying when a waiting request will go was posted, so it can be told if this process stops. */
  async waitingPosted(sessionId: string, card: CardAddress): Promise<void> {
    const stored = await this.store.get(sessionId);
    if (stored?.session.state === 'waiting') await this.store.replace({ ...stored.session, card }, stored.etag);
  }

  /**
   * Intune's write budget is used up: say when the request will go, and make it then, as the same requester
   * (the technician's own token, held in memory only, with single sign-on). The wait is kept in the store
   * without any token, so that if this process stops first the technician is told to ask again
   * (GiveUpLostWaits); it is given up after WAIT_GIVE_UP_MS past the time said.
   */
  private async waitForBudget(caller: Caller, device: ManagedDevice, requester: IntuneGraph, onceKey: string, context: TechnicianContext, at: number): Promise<StartOutcome> {
    const deviceName = device.deviceName ?? '';
    const until = at + WAIT_GIVE_UP_MS;
    let held: StoredSession;
    try {
      held = await this.store.create({ ...this.newSession(caller, device, context), state: 'waiting', waitingUntil: new Date(until).toISOString(), waitingOwner: this.owner });
    } catch (error) {
      // Not kept, so not promised: nothing was asked of Intune and the message may be sent again.
      await this.once.release(onceKey).catch(() => undefined);
      throw error;
    }
    // Given up, it is never sent, even when room comes; once under way it is no longer given up.
    let wanted = true;
    let going = false;
    let giveUp!: (reason: AbandonReason) => void;
    const givenUp = new Promise<StartOutcome>((resolve) => (giveUp = (reason) => {
      if (going) return;
      wanted = false;
      resolve({ kind: 'abandoned', reason, deviceName });
    }));
    const timer = setTimeout(() => giveUp('timedOut'), until - Date.now());
    this.waiting.add(giveUp);
    const later = (async (): Promise<StartOutcome> => {
      try {
        const asked = this.ask(caller, device, requester, onceKey, context, { patient: true, stillWanted: () => (going = wanted) }, held.session.id)
          .catch((error: unknown): StartOutcome => ({ kind: 'failed', error }));
        const outcome = await Promise.race([asked, givenUp]);
        if (outcome.kind === 'abandoned') {
          // Nothing was asked of Intune: the record goes, and this message may be sent again.
          await this.forget(held.session.id);
          await this.once.release(onceKey).catch(() => undefined);
        }
        return outcome;
      } finally {
        clearTimeout(timer);
        this.waiting.delete(giveUp);
      }
    })();
    this.log.info({ sessionId: held.session.id, deviceId: device.id, at: new Date(at).toISOString() }, 'remote assistance request waits for Intune write budget');
    return { kind: 'waiting', sessionId: held.session.id, deviceName, at: new Date(at).toISOString(), later };
  }

  /** Deletes a waiting request that was given up; one changed meanwhile (it went after all) stays. */
  private async forget(sessionId: string): Promise<void> {
    try {
      const stored = await this.store.get(sessionId);
      if (stored?.session.state === 'waiting') await this.store.delete(stored);
    } catch (error) {
      this.log.warn({ err: error, sessionId }, 'could not remove a request that was given up; the housekeeping will');
    }
  }

  private newSession(caller: Caller, device: ManagedDevice, { helperDevices }: TechnicianContext): Session {
    const now = this.now().toISOString();
    return {
      id: randomUUID(),
      state: 'requested',
      tenantId: caller.tenantId,
      conversationId: caller.conversationId,
      technician: { aadObjectId: caller.aadObjectId, name: caller.name, teamsId: caller.teamsId },
      timeZone: caller.timeZone,
      locale: caller.locale,
      device,
      helperDevices,
      intuneUrl: this.devicePage(device.id),
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Asks Intune, then keeps the session. `heldId`: the waiting request this is, whose record becomes the
   * session (keeping where its message was posted).
   */
  private async ask(caller: Caller, device: ManagedDevice, requester: IntuneGraph, onceKey: string, asked: TechnicianContext | Promise<TechnicianContext>, options: WriteOptions, heldId?: string): Promise<StartOutcome> {
    let unconfirmed = false;
    try {
      await requester.requestRemoteAssistance(device.id, options);
    } catch (error) {
      // The prompt may already be on the user's screen: keep the claim, so neither a Teams retry nor this
      // turn asks again, and give the technician a card to log the session with.
      if (error instanceof GraphFailure && error.mayHaveActed) {
        unconfirmed = true;
        this.log.warn({ deviceId: device.id, kind: error.kind, status: error.status, requestId: error.requestId }, 'Intune did not confirm the remote assistance request');
      } else {
        // Over budget the claim is kept: a Teams retry is told the request is on its way.
        if (!(error instanceof BudgetExhausted)) await this.once.release(onceKey);
        throw error;
      }
    }
    const context = await asked;
    let session: Session = { ...this.newSession(caller, device, context), ...(unconfirmed ? { unconfirmed } : {}) };
    try {
      if (heldId) session = await this.requestedFromWaiting(heldId, session);
      else await this.store.create(session);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) && !(error instanceof SessionConflictError)) throw error;
      this.log.error({ err: error, deviceId: device.id }, 'remote assistance requested but the session could not be saved');
      return { kind: 'requestedNotSaved', deviceName: device.deviceName ?? '' };
    }
    addLogFields({ sessionId: session.id });
    this.log.info({ sessionId: session.id, deviceId: device.id }, 'remote assistance requested');
    return { kind: 'started', session, inputs: defaultInputs(context.helperDevices, context.lastType) };
  }

  /** The waiting record becomes the session, with its id and where its message was posted. */
  private async requestedFromWaiting(heldId: string, fresh: Session): Promise<Session> {
    const stored = await this.store.get(heldId);
    if (stored?.session.state !== 'waiting') throw new SessionConflictError(heldId);
    const { waitingUntil: _until, waitingOwner: _owner, ...held } = stored.session;
    const session: Session = { ...held, ...fresh, id: heldId, card: held.card };
    await this.store.replace(session, stored.etag);
    return session;
  }
}
