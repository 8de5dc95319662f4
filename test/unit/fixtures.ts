import type { ManagedDevice } from '../../src/graph/types';
import type { Session } from '../../src/sessions/session';

export const laptop: ManagedDevice = {
  id: '5b3a1f0e-0000-4000-8000-000000000042',
  deviceName: 'LAPTOP-42',
  userId: 'u-megan',
  userDisplayName: 'Megan Bowen',
  userPrincipalName: 'megan@contoso.example',
  emailAddress: 'megan@contoso.example',
  azureADDeviceId: 'aad-laptop-42',
  operatingSystem: 'Windows',
  osVersion: '10.0.22631',
  model: 'Surface Laptop 5',
  complianceState: 'compliant',
  managementState: 'managed',
  lastSyncDateTime: '2026-11-23T08:00:00Z',
};

export function aSession(overrides: Partial<Session> = {}): Session {
  return {
    id: '7e0b8c2a-1d2e-4f3a-9b4c-5d6e7f8a9b0c',
    state: 'requested',
    tenantId: 'tenant-1',
    conversationId: 'conv-1',
    technician: { aadObjectId: 'tech-1', name: 'Alex Tech' },
    timeZone: 'Europe/Lisbon',
    locale: 'en-US',
    device: laptop,
    helperDevices: [
      { id: 'h1', deviceName: 'ALEX-WS01', azureADDeviceId: 'aad-h1', operatingSystem: 'Windows', osVersion: '10.0.26100', managementState: 'managed' },
    ],
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}
