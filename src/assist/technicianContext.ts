import type { IntuneGraph, RemoteAssistanceSessionType } from '../graph/types';
import type { Logger } from '../log';
import type { HelperDevice } from '../sessions/session';
import type { SessionStore } from '../store/ports';
import type { Caller } from './caller';
import { KeptAWhile } from './keptAWhile';

/** How many recent sessions are looked through for the type last reported. */
const LAST_TYPE_LOOKBACK = 10;
/**
 * A technician's own devices change rarely: kept a minute, so a start in steady state asks Graph only for the
 * device and the request; starts at the same moment by one technician share one Graph call.
 */
const ownDevices = new KeptAWhile<HelperDevice[]>(60_000);

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

function helperDevicesOf(graph: IntuneGraph, caller: Caller, log: Logger): Promise<HelperDevice[]> {
  return ownDevices.get(`${caller.tenantId}/${caller.aadObjectId}`, async () => {
    try {
      const devices = await graph.listUserDevices(caller.aadObjectId);
      return devices
        .sort((a, b) => (b.lastSyncDateTime ?? '').localeCompare(a.lastSyncDateTime ?? ''))
        .map(({ id, deviceName, azureADDeviceId, operatingSystem, osVersion, managementState }) => ({
          id, deviceName, azureADDeviceId, operatingSystem, osVersion, managementState,
        }));
    } catch (error) {
      // Said once for the starts sharing the lookup; not kept, so the next start asks again.
      log.warn({ err: error }, "could not list the technician's devices");
      throw error;
    }
  }).catch(() => []); // the technician reports from an unmanaged device
}
