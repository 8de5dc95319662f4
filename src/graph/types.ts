// Shapes of the Microsoft Graph resources we read and write (graph-contract.md §1, §3, §5).

export const SESSION_TYPES = ['viewOnly', 'fullControl', 'elevation'] as const;
export type RemoteAssistanceSessionType = (typeof SESSION_TYPES)[number];

export type EnrollmentState = 'unknown' | 'enrolled' | 'pendingReset' | 'failed' | 'notContacted' | 'blocked';

export interface ManagedDevice {
  id: string;
  deviceName: string | null;
  userId: string | null;
  userDisplayName: string | null;
  userPrincipalName: string | null;
  emailAddress: string | null;
  azureADDeviceId: string | null;
  operatingSystem: string | null;
  osVersion: string | null;
  model: string | null;
  complianceState: string | null;
  managementState: string | null;
  lastSyncDateTime: string | null;
}

/** The `$select` for every managed device read: exactly the fields above. */
export const DEVICE_FIELDS: (keyof ManagedDevice)[] = [
  'id', 'deviceName', 'userId', 'userDisplayName', 'userPrincipalName', 'emailAddress', 'azureADDeviceId',
  'operatingSystem', 'osVersion', 'model', 'complianceState', 'managementState', 'lastSyncDateTime',
];

export interface DirectoryUser {
  id: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string | null;
}

export const USER_FIELDS: (keyof DirectoryUser)[] = ['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName'];

/** `remoteAssistanceReporting`, the 20 properties of the newer documented version. */
export interface RemoteAssistanceReport {
  '@odata.type': '#microsoft.graph.remoteAssistanceReporting';
  id: string;
  startDateTime: string;
  endDateTime: string;
  remoteAssistanceSessionType: RemoteAssistanceSessionType;
  helperEmail: string | null;
  helperTenantId: string | null;
  helperFirstName: string | null;
  helperLastName: string | null;
  helperOs?: string | null;
  helperDeviceAadId: string | null;
  helperDeviceName: string | null;
  helperEnrollmentState: EnrollmentState;
  sharerEmail: string | null;
  sharerTenantId: string | null;
  sharerFirstName: string | null;
  sharerLastName: string | null;
  sharerDeviceAadId: string | null;
  sharerDeviceName: string | null;
  sharerOs?: string | null;
  sharerEnrollmentState: EnrollmentState;
}

/**
 * A managed device's `remoteAssistanceSessionUrl` and `remoteAssistanceSessionErrorDetails` (both computed by
 * Intune after `requestRemoteAssistance`; empty until then). Text from outside, not yet checked.
 */
export interface RemoteAssistanceSessionState {
  sessionUrl: string | null;
  errorDetails: string | null;
}

/** `patient`: wait for Intune's write budget as long as it takes (the write goes on its own, outside a turn). */
export interface WriteOptions {
  patient?: boolean;
  /**
   * Asked once the budget has room, just before the write: false gives the write up and nothing is sent (the
   * request was given up meanwhile). Answering true commits to it.
   */
  stillWanted?: () => boolean;
}

/** What the use cases need from Graph; one implementation talks HTTP, tests may fake it. */
export interface IntuneGraph {
  findDevicesByName(deviceName: string): Promise<ManagedDevice[]>;
  /** Devices whose name contains `part` (case-insensitively), those starting with it first. */
  findDevicesContaining(part: string): Promise<ManagedDevice[]>;
  getDevice(deviceId: string): Promise<ManagedDevice>;
  /** Throws BudgetExhausted when Intune's write budget has no room soon, unless `patient`. */
  requestRemoteAssistance(deviceId: string, options?: WriteOptions): Promise<void>;
  /** The same, through the device's user (`/users/{id}/managedDevices/{id}/…`): only a device of theirs is found. */
  requestRemoteAssistanceFor(userId: string, deviceId: string, options?: WriteOptions): Promise<void>;
  /** The session link or error Intune computed after a request (a single GET that selects them, as Intune requires). */
  getRemoteAssistanceSession(deviceId: string): Promise<RemoteAssistanceSessionState>;
  getUser(userId: string): Promise<DirectoryUser>;
  /** Users whose UPN or e-mail address is `address` (case-insensitively). */
  findUsersByAddress(address: string): Promise<DirectoryUser[]>;
  /** Users whose display name, given name or surname starts with `name`, by display name. */
  findUsersByName(name: string): Promise<DirectoryUser[]>;
  listUserDevices(userId: string): Promise<ManagedDevice[]>;
  reportRemoteAssistance(report: RemoteAssistanceReport): Promise<void>;
  isMemberOf(userId: string, groupId: string): Promise<boolean>;
}
