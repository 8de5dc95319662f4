import type { ReportPayloadShape } from '../config';
import type { DirectoryUser, EnrollmentState, ManagedDevice, RemoteAssistanceReport } from '../graph/types';
import type { HelperDevice, Session, SessionReport } from '../sessions/session';

/** What the report needs beyond the session: identities looked up in Graph at submit time. */
export interface ReportParties {
  helper: DirectoryUser;
  /** The device's primary user, when it has one Graph could read. */
  sharer: DirectoryUser | undefined;
}

/**
 * Intune managementState ➜ the report's enrollmentState. A managed device is enrolled; the failed
 * retire/wipe states mean enrollment is broken; a device only discovered never contacted Intune.
 */
export function enrollmentStateOf(device: Pick<ManagedDevice, 'managementState'> | undefined): EnrollmentState {
  switch (device?.managementState) {
    case undefined:
    case null:
    case 'unknownFutureValue':
      return 'unknown';
    case 'discovered':
      return 'notContacted';
    case 'retireFailed':
    case 'wipeFailed':
    case 'unhealthy':
      return 'failed';
    default:
      return 'enrolled';
  }
}

function osOf(device: Pick<ManagedDevice, 'operatingSystem' | 'osVersion'> | undefined): string | null {
  if (!device?.operatingSystem) return null;
  return [device.operatingSystem, device.osVersion].filter(Boolean).join(' ');
}

const emailOf = (user: DirectoryUser | undefined, fallback?: string | null) => user?.mail || user?.userPrincipalName || fallback || null;

/** Builds `remoteAssistanceReporting` (DESIGN.md, "Mapping"); `legacy` drops helperOs/sharerOs. */
export function buildReportPayload(
  session: Session,
  report: SessionReport,
  parties: ReportParties,
  shape: ReportPayloadShape,
): RemoteAssistanceReport {
  const device = session.device;
  const helperDevice: HelperDevice | undefined = session.helperDevices.find((d) => d.id === report.helperDeviceId);
  const payload: RemoteAssistanceReport = {
    '@odata.type': '#microsoft.graph.remoteAssistanceReporting',
    id: session.id,
    startDateTime: report.startDateTime,
    endDateTime: report.endDateTime,
    remoteAssistanceSessionType: report.sessionType,
    helperEmail: emailOf(parties.helper),
    helperTenantId: session.tenantId,
    helperFirstName: parties.helper.givenName,
    helperLastName: parties.helper.surname,
    helperOs: osOf(helperDevice),
    helperDeviceAadId: helperDevice?.azureADDeviceId ?? null,
    helperDeviceName: helperDevice?.deviceName ?? null,
    helperEnrollmentState: enrollmentStateOf(helperDevice),
    sharerEmail: emailOf(parties.sharer, device.emailAddress || device.userPrincipalName),
    // Remote Help works only inside one tenant, so the sharer's tenant is the technician's.
    sharerTenantId: session.tenantId,
    sharerFirstName: parties.sharer?.givenName ?? null,
    sharerLastName: parties.sharer?.surname ?? null,
    sharerDeviceAadId: device.azureADDeviceId,
    sharerDeviceName: device.deviceName,
    sharerOs: osOf(device),
    sharerEnrollmentState: enrollmentStateOf(device),
  };
  if (shape === 'legacy') {
    delete payload.helperOs;
    delete payload.sharerOs;
  }
  return payload;
}
