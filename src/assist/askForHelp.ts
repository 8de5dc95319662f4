import { randomUUID } from 'node:crypto';
import type { IntuneGraph, ManagedDevice } from '../graph/types';
import { addLogFields, type Logger } from '../log';
import type { CardAddress, Session } from '../sessions/session';
import { SessionConflictError, type OnceLedger, type SessionStore } from '../store/ports';
import type { Caller } from './caller';
import { onceKeyOf } from './startAssistance';

/** Longest description of the problem kept: a request card, not an essay. */
const MAX_PROBLEM = 500;
const DEVICE_ID = /^[A-Za-z0-9-]{1,64}$/;

export type AskOutcome =
  | { kind: 'asked'; session: Session }
  /** Several devices of theirs and no name given: they pick one (what they wrote travels with the pick). */
  | { kind: 'pick'; devices: ManagedDevice[]; problem: string }
  | { kind: 'noDevices' }
  /** They have an open request for that device already. */
  | { kind: 'already'; deviceName: string }
  /** A pick of a device that is not theirs (a forged or stale card). */
  | { kind: 'notYours' }
  /** This very message or pick was acted on already (a Teams retry, a double click). */
  | { kind: 'repeated' };

/** One open request per person and device, across instances; given back when it is taken or withdrawn. */
export function openRequestKey(session: Pick<Session, 'tenantId' | 'requester' | 'device'>): string {
  return `asked:${session.tenantId}:${session.requester?.aadObjectId}:${session.device.id}`;
}

/**
 * "help me with my device …": the writer asks the helpdesk for help with one of their own devices. Nothing is
 * asked of Intune: the request waits, as a session in state `asked`, for a technician to take it.
 */
export class AskForHelp {
  constructor(
    private readonly graph: IntuneGraph,
    private readonly store: SessionStore,
    private readonly once: OnceLedger,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `text` is what followed "my device": a name of one of theirs first, then the problem; or only the problem. */
  async byText(caller: Caller, text: string, postedIn: string): Promise<AskOutcome> {
    const devices = await this.devicesOf(caller);
    if (!devices.length) return { kind: 'noDevices' };
    const said = text.trim();
    const named = namedDevice(devices, said);
    if (named) return this.ask(caller, named, said.slice(named.deviceName!.length), postedIn, 'byName');
    if (devices.length === 1) return this.ask(caller, devices[0], said, postedIn, 'byName');
    return { kind: 'pick', devices, problem: said.slice(0, MAX_PROBLEM) };
  }

  /** A pick from their own devices; the id comes from a card, so it must be one of theirs now. */
  async byId(caller: Caller, deviceId: unknown, problem: unknown, postedIn: string): Promise<AskOutcome> {
    if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) return { kind: 'notYours' };
    const device = (await this.devicesOf(caller)).find((d) => d.id === deviceId);
    if (!device) return { kind: 'notYours' };
    return this.ask(caller, device, typeof problem === 'string' ? problem : '', postedIn, 'byId');
  }

  /** Where the request's cards were posted (the shared one, and the requester's copy), for updates and reminders. */
  async posted(sessionId: string, cards: Pick<Session, 'card'> | Pick<Session, 'requesterCard'>, attempts = 3): Promise<Session | undefined> {
    const stored = await this.store.get(sessionId);
    if (!stored) return undefined;
    try {
      return (await this.store.replace({ ...stored.session, ...cards }, stored.etag)).session;
    } catch (error) {
      if (!(error instanceof SessionConflictError) || attempts <= 1) throw error;
      return this.posted(sessionId, cards, attempts - 1);
    }
  }

  private async ask(caller: Caller, device: ManagedDevice, problem: string, postedIn: string, kind: 'byName' | 'byId'): Promise<AskOutcome> {
    const turn = onceKeyOf(caller, kind);
    if (!(await this.once.claim(turn))) return { kind: 'repeated' };
    const now = this.now().toISOString();
    const session: Session = {
      id: randomUUID(),
      state: 'asked',
      tenantId: caller.tenantId,
      conversationId: postedIn,
      technician: { aadObjectId: '', name: '' },
      timeZone: caller.timeZone,
      locale: caller.locale,
      device,
      helperDevices: [],
      createdAt: now,
      updatedAt: now,
      askedAt: now,
      problem: problem.replace(/^[\s:,;.\-–—]+/u, '').trim().slice(0, MAX_PROBLEM),
      requester: {
        aadObjectId: caller.aadObjectId,
        name: caller.name,
        teamsId: caller.teamsId,
        locale: caller.locale,
        timeZone: caller.timeZone,
        serviceUrl: caller.serviceUrl,
        ...(caller.conversationType === 'personal' ? { chatId: caller.conversationId } : {}),
      },
    };
    addLogFields({ sessionId: session.id });
    const open = openRequestKey(session);
    if (!(await this.once.claim(open))) return { kind: 'already', deviceName: device.deviceName ?? '' };
    try {
      await this.store.create(session);
    } catch (error) {
      await Promise.all([this.once.release(open), this.once.release(turn)]);
      throw error;
    }
    this.log.info({ sessionId: session.id, deviceId: device.id }, 'help requested');
    return { kind: 'asked', session };
  }

  /** The caller's own managed devices, re-checked: Graph's answer must name them as the user. */
  private async devicesOf(caller: Caller): Promise<ManagedDevice[]> {
    return (await this.graph.listUserDevices(caller.aadObjectId)).filter((d) => d.userId === caller.aadObjectId && d.deviceName);
  }
}

/** The device whose name `text` starts with (as a whole word), the longest such name winning. */
function namedDevice(devices: ManagedDevice[], text: string): ManagedDevice | undefined {
  const lower = text.toLowerCase();
  return devices
    .filter((d) => {
      const name = d.deviceName!.toLowerCase();
      return lower.startsWith(name) && !/[\p{L}\p{N}_-]/u.test(lower.charAt(name.length));
    })
    .sort((a, b) => b.deviceName!.length - a.deviceName!.length)[0];
}
