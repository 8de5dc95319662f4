import type { IntuneGraph, RemoteAssistanceSessionType } from '../graph/types';
import type { Logger } from '../log';
import type { HelperDevice } from '../sessions/session';
import type { SessionStore } from '../store/ports';
import type { Caller } from './caller';

/** How many recent sessions are looked through for the type last reported. */
const LAST_TYPE_LOOKBACK = 10;
/**
 * A technician's own devices change rarely: kept a minute, so a start in steady state asks Graph only for the
 * device and the request. Per process, and small: a helpdesk has far fewer technicians than this.
 */
const OWN_DEVICES_TTL_MS = 60_000;
const OWN_DEVICES_MAX = 1000;
const ownDevices = new Map<string, { devices: HelperDevice[]; until: number }>();

/**
 * What a new session card offers the technician: their own managed devices (most recently synced first)
 * and the session type they reported last, for one-click logging. Either may be missing: the card still works.
 */
export interface TechnicianContext {
  helperDevices: HelperDevice[];
  lastType?: RemoteAssistanceSessionType;
}

export async function technicianContext(graph: IntuneGraph, store: SessionStore, caller: Caller, log: Logger): Promise<TechnicianContext> {
  const [helperDevices, lastType] = await Promise.all([helperDevicesOf(graph, caller, log), lastTypeOf(store, caller)]);
  return { helperDevices, lastType };
}

async function lastTypeOf(store: SessionStore, caller: Caller): Promise<RemoteAssistanceSessionType | undefined> {
  try {
    const recent = await store.listForTechnician(caller.tenantId, caller.aadObjectId, LAST_TYPE_LOOKBACK);
    return recent.find((s) => s.report)?.report?.sessionType;
  } catch {
    return undefined; // the first type is preselected
  }
}

/** Lookups under way: starts at the same moment by one technician share one Graph call. */
const ownDevicesAsked = new Map<string, Promise<HelperDevice[]>>();

function helperDevicesOf(graph: IntuneGraph, caller: Caller, log: Logger): Promise<HelperDevice[]> {
  const key = `${caller.tenantId}/${caller.aadObjectId}`;
  const kept = ownDevices.get(key);
  if (kept && kept.until > Date.now()) return Promise.resolve(kept.devices);
  let asked = ownDevicesAsked.get(key);
  if (!asked) {
    asked = askOwnDevices(graph, caller, log, key).finally(() => ownDevicesAsked.delete(key));
    ownDevicesAsked.set(key, asked);
  }
  return asked;
}

async function askOwnDevices(graph: IntuneGraph, caller: Caller, log: Logger, key: string): Promise<HelperDevice[]> {
  try {
    const devices = await graph.listUserDevices(caller.aadObjectId);
    const helpers = devices
      .sort((a, b) => (b.lastSyncDateTime ?? '').localeCompare(a.lastSyncDateTime ?? ''))
      .map(({ id, deviceName, azureADDeviceId, operatingSystem, osVersion, managementState }) => ({
        id, deviceName, azureADDeviceId, operatingSystem, osVersion, managementState,
      }));
    if (ownDevices.size >= OWN_DEVICES_MAX) ownDevices.clear();
    ownDevices.set(key, { devices: helpers, until: Date.now() + OWN_DEVICES_TTL_MS });
    return helpers;
  } catch (error) {
    // The technician reports from an unmanaged device.
    log.warn({ err: error }, "could not list the technician's devices");
    return [];
  }
}
