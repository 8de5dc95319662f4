import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { GraphFailure } from '../graph/graphErrors';
import type { IntuneGraph, ManagedDevice, RemoteAssistanceSessionType } from '../graph/types';
import type { HelperDevice, Session } from '../sessions/session';
import { StoreUnavailableError, type OnceLedger, type SessionStore } from '../store/ports';
import type { Caller } from './caller';
import type { StartOutcome } from './outcomes';
import { defaultInputs } from './sessionInput';

/** Longest device name we look up; Intune names are far shorter. */
const MAX_DEVICE_NAME = 128;
const DEVICE_ID = /^[A-Za-z0-9-]{1,64}$/;
/** How many recent sessions are looked through for the type last reported. */
const LAST_TYPE_LOOKBACK = 10;

/**
 * What makes a request one request: the message (Teams retries a slow turn with its id), or the choice card
 * (one session per card, however often its buttons are clicked).
 */
export function onceKeyOf(caller: Caller, kind: 'byName' | 'byId'): string {
  return kind === 'byId' && caller.replyToId ? `pick:${caller.conversationId}:${caller.replyToId}` : `turn:${caller.conversationId}:${caller.activityId}`;
}

export class StartAssistance {
  constructor(
    private readonly graph: IntuneGraph,
    private readonly store: SessionStore,
    private readonly once: OnceLedger,
    private readonly log: Logger,
    /** The device's page in the Intune admin center, for the card's "Open in Intune". */
    private readonly devicePage: (deviceId: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * "help me with device X": one device of that name starts a session, several ask the technician to pick;
   * none offers the devices whose names contain X, and nothing is requested until one is picked.
   */
  /** `requester` is the Graph client that asks Intune: the technician's own with single sign-on. */
  async byName(caller: Caller, deviceName: string, requester: IntuneGraph = this.graph): Promise<StartOutcome> {
    const name = deviceName.trim().slice(0, MAX_DEVICE_NAME);
    const devices = await this.graph.findDevicesByName(name);
    if (devices.length === 0) {
      const partial = await this.graph.findDevicesContaining(name);
      return partial.length ? { kind: 'ambiguous', deviceName: name, devices: partial, partial: true } : { kind: 'notFound', deviceName: name };
    }
    if (devices.length > 1) return { kind: 'ambiguous', deviceName: name, devices };
    return this.on(caller, devices[0], requester, onceKeyOf(caller, 'byName'));
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
    // Read what the card needs before asking Intune, so nothing but the store write follows the 204.
    const [helperDevices, lastType] = await Promise.all([this.helperDevicesOf(caller), this.lastTypeOf(caller)]);
    if (!(await this.once.claim(onceKey))) return { kind: 'repeated' };
    let unconfirmed = false;
    try {
      await requester.requestRemoteAssistance(device.id);
    } catch (error) {
      // The prompt may already be on the user's screen: keep the claim, so neither a Teams retry nor this
      // turn asks again, and give the technician a card to log the session with.
      if (error instanceof GraphFailure && error.mayHaveActed) {
        unconfirmed = true;
        this.log.warn({ deviceId: device.id, kind: error.kind, status: error.status, requestId: error.requestId }, 'Intune did not confirm the remote assistance request');
      } else {
        await this.once.release(onceKey);
        throw error;
      }
    }
    const now = this.now().toISOString();
    const session: Session = {
      id: randomUUID(),
      state: 'requested',
      tenantId: caller.tenantId,
      conversationId: caller.conversationId,
      technician: { aadObjectId: caller.aadObjectId, name: caller.name },
      timeZone: caller.timeZone,
      locale: caller.locale,
      device,
      helperDevices,
      intuneUrl: this.devicePage(device.id),
      createdAt: now,
      updatedAt: now,
      ...(unconfirmed ? { unconfirmed } : {}),
    };
    try {
      await this.store.create(session);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.log.error({ err: error, deviceId: device.id }, 'remote assistance requested but the session could not be saved');
      return { kind: 'requestedNotSaved', deviceName: device.deviceName ?? '' };
    }
    this.log.info({ sessionId: session.id, deviceId: device.id }, 'remote assistance requested');
    return { kind: 'started', session, inputs: defaultInputs(helperDevices, lastType) };
  }

  /** The session type the technician reported last, for one-click logging; none if they have not yet. */
  private async lastTypeOf(caller: Caller): Promise<RemoteAssistanceSessionType | undefined> {
    try {
      const recent = await this.store.listForTechnician(caller.tenantId, caller.aadObjectId, LAST_TYPE_LOOKBACK);
      return recent.find((s) => s.report)?.report?.sessionType;
    } catch {
      return undefined; // the card still works: the first type is preselected
    }
  }

  /** The technician's own managed devices, most recently synced first; none if Graph will not say. */
  private async helperDevicesOf(caller: Caller): Promise<HelperDevice[]> {
    try {
      const devices = await this.graph.listUserDevices(caller.aadObjectId);
      return devices
        .sort((a, b) => (b.lastSyncDateTime ?? '').localeCompare(a.lastSyncDateTime ?? ''))
        .map(({ id, deviceName, azureADDeviceId, operatingSystem, osVersion, managementState }) => ({
          id, deviceName, azureADDeviceId, operatingSystem, osVersion, managementState,
        }));
    } catch (error) {
      // The card still works without them: the technician reports from an unmanaged device.
      this.log.warn({ err: error }, 'could not list the technician\'s devices');
      return [];
    }
  }
}
