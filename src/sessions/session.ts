import type { ManagedDevice, RemoteAssistanceSessionType } from '../graph/types';

/** requested ─▶ submitted ─▶ reported, with cancelled, and failed (Graph refused the report for good). */
export type SessionState = 'requested' | 'submitted' | 'reported' | 'cancelled' | 'failed';

/** The technician's own device, as offered on the card (a snapshot taken when the session started). */
export type HelperDevice = Pick<ManagedDevice, 'id' | 'deviceName' | 'azureADDeviceId' | 'operatingSystem' | 'osVersion' | 'managementState'>;

/** What the technician entered, after validation; times are ISO 8601 with the technician's offset. */
export interface SessionReport {
  sessionType: RemoteAssistanceSessionType;
  startDateTime: string;
  endDateTime: string;
  helperDeviceId: string | null;
}

export interface Session {
  id: string;
  state: SessionState;
  tenantId: string;
  conversationId: string;
  technician: { aadObjectId: string; name: string };
  /** IANA zone and locale of the technician's Teams client when the session started. */
  timeZone: string;
  locale: string;
  device: ManagedDevice;
  helperDevices: HelperDevice[];
  createdAt: string;
  updatedAt: string;
  report?: SessionReport;
  reportedAt?: string;
  cancelledAt?: string;
  /** The last reason a report did not go through, for the card. */
  lastError?: string;
}

export const FINAL_STATES: SessionState[] = ['reported', 'cancelled'];
