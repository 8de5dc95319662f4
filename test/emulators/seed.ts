// Seed data for the Graph emulator: the tenant's users and Intune managed devices. Field names and enum
// values follow graph-contract.md §3.1 (v1.0 managedDevice) and §5 (user). The demo seed covers the
// awkward cases the bot must handle: spaces, quotes, Cyrillic, duplicate names, userless devices.

export interface GraphUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  /** Null when the user has no mailbox. */
  mail: string | null;
  userPrincipalName: string;
}

export interface ManagedDevice {
  id: string;
  deviceName: string;
  /** Intune answers empty strings (not null) for the user fields of a userless device. */
  userPrincipalName: string;
  emailAddress: string;
  userDisplayName: string;
  userId: string;
  azureADDeviceId: string;
  operatingSystem: string;
  osVersion: string;
  model: string;
  manufacturer: string;
  serialNumber: string;
  managementState: string;
  complianceState: 'unknown' | 'compliant' | 'noncompliant' | 'conflict' | 'error' | 'inGracePeriod' | 'configManager';
  lastSyncDateTime: string;
  deviceEnrollmentType: string;
  enrolledDateTime: string;
  managedDeviceOwnerType: 'unknown' | 'company' | 'personal' | 'unknownFutureValue';
}

export interface GraphSeed {
  tenantId: string;
  users: GraphUser[];
  devices: ManagedDevice[];
  /** Security groups: group id ➜ member user ids (for checkMemberGroups). */
  groups: Record<string, string[]>;
}

/** The helpdesk technicians' group of the demo tenant: Alex Tech is a member, nobody else. */
export const TECHNICIANS_GROUP_ID = '9e0c6f1a-7b2d-4c3e-8f4a-5b6c7d8e9f01';

export const DEMO_TENANT_ID = '7d1f4c2e-5b8a-4e19-9c3d-a1b2c3d4e5f6';

/**
 * The technician's Entra object id. Agents Playground sends its own default user id as
 * `from.aadObjectId`; change this constant (or call makeDemoSeed(id)) to match it.
 */
export const TECHNICIAN_ID = '00000000-0000-0000-0000-0000000000a1';

const DOMAIN = 'contoso.example';

/** A technician-like user with the given id, e.g. the Agents Playground default user. */
export function playgroundUser(id: string, name: string): GraphUser {
  const [givenName, ...rest] = name.split(' ');
  const alias = name.toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'user';
  return { id, displayName: name, givenName, surname: rest.join(' ') || null, mail: `${alias}@${DOMAIN}`, userPrincipalName: `${alias}@${DOMAIN}` };
}

function user(n: number, displayName: string, givenName: string, surname: string, alias: string, mail = true): GraphUser {
  const upn = `${alias}@${DOMAIN}`;
  return { id: `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`, displayName, givenName, surname, mail: mail ? upn : null, userPrincipalName: upn };
}

function device(n: number, name: string, owner: GraphUser | null, os: Partial<ManagedDevice>): ManagedDevice {
  const hex = n.toString(16).padStart(12, '0');
  return {
    id: `d0000000-0000-4000-8000-${hex}`,
    deviceName: name,
    userPrincipalName: owner?.userPrincipalName ?? '',
    emailAddress: owner ? owner.mail ?? '' : '',
    userDisplayName: owner?.displayName ?? '',
    userId: owner?.id ?? '',
    azureADDeviceId: `aad00000-0000-4000-8000-${hex}`,
    operatingSystem: 'Windows',
    osVersion: '10.0.22631.4317',
    model: 'Latitude 7440',
    manufacturer: 'Dell Inc.',
    serialNumber: `SN${hex.slice(-6).toUpperCase()}`,
    managementState: 'managed',
    complianceState: 'compliant',
    lastSyncDateTime: '2026-11-20T08:15:00Z',
    deviceEnrollmentType: 'windowsAzureADJoin',
    enrolledDateTime: '2025-03-02T10:00:00Z',
    managedDeviceOwnerType: 'company',
    ...os,
  };
}

export function makeDemoSeed(technicianId: string = TECHNICIAN_ID): GraphSeed {
  const alex: GraphUser = { ...user(0xa1, 'Alex Tech', 'Alex', 'Tech', 'alex.tech'), id: technicianId };
  const maria = user(0xb1, 'Maria Silva', 'Maria', 'Silva', 'maria.silva');
  const jose = user(0xb2, 'José Ñúñez', 'José', 'Ñúñez', 'jose.nunez');
  const pat = user(0xb3, "Pat O'Brien", 'Pat', "O'Brien", 'pat.obrien', false); // no mailbox
  const ivan = user(0xb4, 'Иван Петров', 'Иван', 'Петров', 'ivan.petrov');
  const kim = user(0xb5, 'Kim Lee', 'Kim', 'Lee', 'kim.lee');
  // Shares "Mari" with Maria, has no managed device, and signs in with a UPN that differs from her mail.
  const mariana = { ...user(0xb6, 'Mariana Costa', 'Mariana', 'Costa', 'm.costa'), mail: 'mariana.costa@contoso.example' };
  const mac = { operatingSystem: 'macOS', osVersion: '15.1', model: 'MacBook Pro (14-inch, 2024)', manufacturer: 'Apple', deviceEnrollmentType: 'appleUserEnrollment' };
  const ios = { operatingSystem: 'iOS', osVersion: '18.1', model: 'iPad (10th generation)', manufacturer: 'Apple' };
  return {
    tenantId: DEMO_TENANT_ID,
    users: [alex, maria, jose, pat, ivan, kim, mariana],
    groups: { [TECHNICIANS_GROUP_ID]: [alex.id] },
    devices: [
      device(1, 'ALEX-WS01', alex, {}),
      device(2, 'ALEX-MBP', alex, mac),
      device(3, 'LAPTOP-42', maria, {}),
      device(4, 'DESK 7', jose, { model: 'OptiPlex 7010' }),
      device(5, "O'Brien-PC", pat, { osVersion: '10.0.19045.5011' }),
      device(6, 'Ноутбук-5', ivan, { model: 'ThinkPad T14', manufacturer: 'LENOVO' }),
      device(7, 'KIOSK-01', kim, { deviceEnrollmentType: 'windowsBulkUserless' }),
      device(8, 'KIOSK-01', jose, { ...ios, deviceEnrollmentType: 'appleBulkWithUser' }),
      device(9, 'LOBBY-TABLET', null, { ...ios, deviceEnrollmentType: 'appleBulkWithoutUser' }),
      device(10, 'PIXEL-7-MS', maria, {
        operatingSystem: 'Android', osVersion: '14', model: 'Pixel 7', manufacturer: 'Google',
        complianceState: 'noncompliant', deviceEnrollmentType: 'userEnrollment', managedDeviceOwnerType: 'personal',
      }),
      // Names as phones, tablets and renamed BYOD devices carry them: every character URLs and OData treat specially.
      device(11, "Kim & Lee's iPad #2", kim, { ...ios, managedDeviceOwnerType: 'personal' }),
      device(12, 'C++ Build 100% / \\ ?', kim, {}),
      device(13, 'Say "Hi" — Ünïcødé 机', kim, {}),
      // A BYOD device renamed to phish the helpdesk, with a user name that tries markdown and a line break.
      device(14, 'BYOD-[Verify](https://evil.example)', kim, { userDisplayName: '*Kim* _Lee_\n# Call > -555 (now)', operatingSystem: 'Android', osVersion: '14' }),
    ],
  };
}

export const demoSeed: GraphSeed = makeDemoSeed();
