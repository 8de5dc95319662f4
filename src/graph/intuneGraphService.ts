import type { Client, GraphRequest } from '@microsoft/microsoft-graph-client';
import { GraphFailure, toGraphFailure, type GraphOperation } from './graphErrors';
import { GraphOperationOption } from './graphOperation';
import { WriteGivenUp, type WritePacer, type WritePriority } from './writePacer';
import {
  DEVICE_FIELDS,
  USER_FIELDS,
  type DirectoryUser,
  type IntuneGraph,
  type ManagedDevice,
  type RemoteAssistanceReport,
  type RemoteAssistanceSessionState,
  type WriteOptions,
} from './types';

/** Intune computes these only on a single-device GET that names them in `$select` (graph-contract.md §2). */
const SESSION_FIELDS = ['remoteAssistanceSessionUrl', 'remoteAssistanceSessionErrorDetails'];

/** Most devices one name may match that are listed: more than a technician can pick from anyway. */
export const MAX_NAME_MATCHES = 25;
/** One more than listed is fetched, so the card can say that some were left out. */
const FETCHED_MATCHES = MAX_NAME_MATCHES + 1;

/** OData string literal: single quotes are doubled (OData ABNF `SQUOTE-in-string`). */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export class IntuneGraphService implements IntuneGraph {
  /** `deadlineMs` bounds each call, its retries and pages included: a Graph that stops answering must not hold a turn or a lease. */
  /**
   * Writes take Intune's budget at `priority`; one that could not go within `maxBudgetWaitMs` fails at once with
   * BudgetExhausted (a turn answers instead of waiting), unless the call is `patient`.
   */
  constructor(
    private readonly client: Client,
    private readonly writes: WritePacer,
    private readonly deadlineMs: number,
    private readonly priority: WritePriority = 'background',
    private readonly maxBudgetWaitMs = Number.POSITIVE_INFINITY,
  ) {}

  async findDevicesByName(deviceName: string): Promise<ManagedDevice[]> {
    const wanted = deviceName.toLowerCase();
    const found = await this.findDevices(`deviceName eq ${odataString(deviceName)}`);
    // Intune ignores a filter it does not support rather than refusing it: check what came back.
    return found.filter((d) => d.deviceName?.toLowerCase() === wanted);
  }

  async findDevicesContaining(part: string): Promise<ManagedDevice[]> {
    const wanted = part.toLowerCase();
    // `contains` is the fuzzy filter Intune documents (its `startswith` matches like `contains` anyway).
    const found = (await this.findDevices(`contains(deviceName,${odataString(part)})`)).filter((d) => d.deviceName?.toLowerCase().includes(wanted));
    const starts = (d: ManagedDevice) => (d.deviceName!.toLowerCase().startsWith(wanted) ? 0 : 1);
    return found.sort((a, b) => starts(a) - starts(b) || a.deviceName!.localeCompare(b.deviceName!));
  }

  private async findDevices(filter: string): Promise<ManagedDevice[]> {
    return this.call('findDevices', async (api) => {
      const devices: ManagedDevice[] = [];
      let page = await api('/deviceManagement/managedDevices')
        // The client puts query values into the URL as they are: `&`, `#` and `+` in a name would cut or change it.
        .filter(encodeURIComponent(filter))
        .select(DEVICE_FIELDS)
        .get();
      devices.push(...page.value);
      // Follow the whole nextLink as Graph asks, but only as far as we would ever show.
      while (page['@odata.nextLink'] && devices.length < FETCHED_MATCHES) {
        page = await api(page['@odata.nextLink']).get();
        devices.push(...page.value);
      }
      return devices.slice(0, FETCHED_MATCHES).map(pickDevice);
    });
  }

  async getDevice(deviceId: string): Promise<ManagedDevice> {
    return this.call('getDevice', async (api) =>
      pickDevice(await api(`/deviceManagement/managedDevices/${encodeURIComponent(deviceId)}`).select(DEVICE_FIELDS).get()),
    );
  }

  async requestRemoteAssistance(deviceId: string, options: WriteOptions = {}): Promise<void> {
    await this.write(options, 'requestAssistance', (api) =>
      api(`/deviceManagement/managedDevices/${encodeURIComponent(deviceId)}/requestRemoteAssistance`).post(undefined),
    );
  }

  async requestRemoteAssistanceFor(userId: string, deviceId: string, options: WriteOptions = {}): Promise<void> {
    await this.write(options, 'requestAssistance', (api) =>
      api(`/users/${encodeURIComponent(userId)}/managedDevices/${encodeURIComponent(deviceId)}/requestRemoteAssistance`).post(undefined),
    );
  }

  async getRemoteAssistanceSession(deviceId: string): Promise<RemoteAssistanceSessionState> {
    return this.call('getAssistanceSession', async (api) => {
      const device = await api(`/deviceManagement/managedDevices/${encodeURIComponent(deviceId)}`).select(SESSION_FIELDS).get();
      const text = (value: unknown) => (typeof value === 'string' ? value : null);
      return { sessionUrl: text(device.remoteAssistanceSessionUrl), errorDetails: text(device.remoteAssistanceSessionErrorDetails) };
    });
  }

  async getUser(userId: string): Promise<DirectoryUser> {
    return this.call('getUser', async (api) => {
      return pickUser(await api(`/users/${encodeURIComponent(userId)}`).select(USER_FIELDS).get());
    });
  }

  async findUsersByAddress(address: string): Promise<DirectoryUser[]> {
    const wanted = address.toLowerCase();
    const literal = odataString(address);
    const found = await this.findUsers(`userPrincipalName eq ${literal} or mail eq ${literal}`);
    return found.filter((u) => u.userPrincipalName?.toLowerCase() === wanted || u.mail?.toLowerCase() === wanted);
  }

  async findUsersByName(name: string): Promise<DirectoryUser[]> {
    const wanted = name.toLowerCase();
    const literal = odataString(name);
    // Entra's default filters: `startswith` on these names (no `contains` without advanced queries).
    const found = await this.findUsers(['displayName', 'givenName', 'surname'].map((p) => `startswith(${p},${literal})`).join(' or '));
    const starts = (value: string | null) => Boolean(value?.toLowerCase().startsWith(wanted));
    return found
      .filter((u) => starts(u.displayName) || starts(u.givenName) || starts(u.surname))
      .sort((a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? ''));
  }

  private async findUsers(filter: string): Promise<DirectoryUser[]> {
    return this.call('findUsers', async (api) => {
      const page = await api('/users').filter(encodeURIComponent(filter)).select(USER_FIELDS).top(FETCHED_MATCHES).get();
      return (page.value as unknown[]).map(pickUser);
    });
  }

  async listUserDevices(userId: string): Promise<ManagedDevice[]> {
    return this.call('listUserDevices', async (api) => {
      const page = await api(`/users/${encodeURIComponent(userId)}/managedDevices`).select(DEVICE_FIELDS).get();
      return (page.value as unknown[]).map(pickDevice);
    });
  }

  async reportRemoteAssistance(report: RemoteAssistanceReport): Promise<void> {
    // Beta only, and in no public metadata, so no SDK request builder: the generic api() call it is.
    await this.write({ patient: true }, 'report', (api) =>
      api('/deviceManagement/reportRemoteAssistance').version('beta').post({ reportingPayload: report }),
    );
  }

  async isMemberOf(userId: string, groupId: string): Promise<boolean> {
    return this.call('checkMembership', async (api) => {
      const result = await api(`/users/${encodeURIComponent(userId)}/checkMemberGroups`).post({ groupIds: [groupId] });
      return (result.value as string[]).includes(groupId);
    });
  }

  /** A write: takes Intune's budget (held until the call's deadline), makes the call, then says when it was answered. */
  private async write(options: WriteOptions, operation: GraphOperation, work: (api: (path: string) => GraphRequest) => Promise<unknown>): Promise<void> {
    // Held a second past the deadline: the deadline runs from the call, a moment after the budget was taken.
    const done = await this.writes.take(this.priority, options.patient ? Number.POSITIVE_INFINITY : this.maxBudgetWaitMs, this.deadlineMs + 1000);
    try {
      if (options.stillWanted && !options.stillWanted()) throw new WriteGivenUp();
      await this.call(operation, work);
    } finally {
      done();
    }
  }

  /** `work` makes its requests with `api`: each carries the deadline's signal and the operation's name (for the call log). */
  private async call<T>(operation: GraphOperation, work: (api: (path: string) => GraphRequest) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const named = GraphOperationOption.of(operation);
    const api = (path: string) => this.client.api(path).option('signal', deadline.signal).middlewareOptions([named]);
    let timer: NodeJS.Timeout | undefined;
    // The signal aborts the HTTP request; the race also covers getting a token, which the signal does not reach.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        deadline.abort();
        reject(new GraphFailure(operation, 'timeout', undefined, 'Timeout', undefined));
      }, this.deadlineMs);
    });
    try {
      return await Promise.race([work(api), timedOut]);
    } catch (error) {
      if (deadline.signal.aborted) throw new GraphFailure(operation, 'timeout', undefined, 'Timeout', undefined);
      throw toGraphFailure(operation, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function pickDevice(raw: unknown): ManagedDevice {
  const source = raw as Record<string, unknown>;
  return Object.fromEntries(DEVICE_FIELDS.map((f) => [f, source[f] ?? null])) as unknown as ManagedDevice;
}

function pickUser(raw: unknown): DirectoryUser {
  const source = raw as Record<string, unknown>;
  return Object.fromEntries(USER_FIELDS.map((f) => [f, source[f] ?? null])) as unknown as DirectoryUser;
}
