// How the Graph emulator shapes seed entities: the property names Graph knows for managedDevice and
// user (so a legitimate $select works even when the seed has no value), and their default sets.
import type { GraphUser, ManagedDevice } from './seed';
import type { EntityShape } from './odataQuery';

const SEEDED_DEVICE_PROPS: (keyof ManagedDevice)[] = [
  'id', 'deviceName', 'userPrincipalName', 'emailAddress', 'userDisplayName', 'userId', 'azureADDeviceId', 'operatingSystem',
  'osVersion', 'model', 'manufacturer', 'serialNumber', 'managementState', 'complianceState', 'lastSyncDateTime',
  'deviceEnrollmentType', 'enrolledDateTime', 'managedDeviceOwnerType',
];

/** Other v1.0 managedDevice properties with plausible defaults (null when Graph would send null). */
const OTHER_DEVICE_DEFAULTS: Record<string, unknown> = {
  managedDeviceName: null, managementAgent: 'mdm', deviceRegistrationState: 'registered', isEncrypted: true,
  jailBroken: 'Unknown', deviceCategoryDisplayName: 'Unknown category', isSupervised: false, easActivated: false,
  easDeviceId: null, azureADRegistered: true, deviceActionResults: [], complianceGracePeriodExpirationDateTime: '9999-12-31T23:59:59Z',
  totalStorageSpaceInBytes: 0, freeStorageSpaceInBytes: 0, imei: null, meid: null, phoneNumber: null, wiFiMacAddress: null,
  ethernetMacAddress: null, subscriberCarrier: null, androidSecurityPatchLevel: null, physicalMemoryInBytes: 0,
  exchangeAccessState: 'none', exchangeAccessStateReason: 'none', exchangeLastSuccessfulSyncDateTime: '0001-01-01T00:00:00Z',
  partnerReportedThreatState: 'unknown', requireUserEnrollmentApproval: null, managementCertificateExpirationDate: '2027-03-02T10:00:00Z',
  iccid: null, udid: null, deviceHealthAttestationState: null, configurationManagerClientEnabledFeatures: null,
  remoteAssistanceSessionUrl: '', remoteAssistanceSessionErrorDetails: '', notes: null,
};

export const DEVICE_SHAPE: EntityShape = {
  type: 'microsoft.graph.managedDevice',
  props: [...SEEDED_DEVICE_PROPS, ...Object.keys(OTHER_DEVICE_DEFAULTS)],
  resource: 'managedDevice',
  // Intune documents `eq` and `contains` on deviceName for this list.
  filters: { deviceName: ['eq', 'contains'] },
};

/** Without $select Graph returns every property (notes and the session URL stay empty). */
export const DEVICE_DEFAULT_PROPS = DEVICE_SHAPE.props;

/** The two properties Intune computes after requestRemoteAssistance; empty strings (Graph's default) until then. */
export interface AssistanceSession { url: string; errorDetails: string }

export function deviceEntity(d: ManagedDevice, session: AssistanceSession = { url: '', errorDetails: '' }): Record<string, unknown> {
  return { ...OTHER_DEVICE_DEFAULTS, ...d, remoteAssistanceSessionUrl: session.url, remoteAssistanceSessionErrorDetails: session.errorDetails };
}

const USER_DEFAULT_PROPS = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage',
  'surname', 'userPrincipalName', 'id',
];

export const USER_SHAPE: EntityShape = {
  type: 'microsoft.graph.user',
  props: [...USER_DEFAULT_PROPS, 'accountEnabled', 'department', 'companyName', 'usageLocation', 'employeeId', 'otherMails', 'userType'],
  resource: 'User',
  // Entra's default (non-advanced) filters on these names: `eq` and `startswith`, never `contains`.
  filters: Object.fromEntries(['displayName', 'givenName', 'surname', 'mail', 'userPrincipalName'].map((p) => [p, ['eq', 'startswith']])),
};

export { USER_DEFAULT_PROPS };

export function userEntity(u: GraphUser): Record<string, unknown> {
  return {
    businessPhones: [], jobTitle: null, mobilePhone: null, officeLocation: null, preferredLanguage: 'en-US',
    accountEnabled: true, department: null, companyName: null, usageLocation: 'US', employeeId: null, otherMails: [], userType: 'Member',
    ...u,
  };
}
