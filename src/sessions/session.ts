import type { ManagedDevice, RemoteAssistanceSessionType } from '../graph/types';

/**
 * requested ─▶ submitted ─▶ reported, with cancelled, and failed (Graph refused the report for good). A request
 * from the person who needs help starts before that: asked ─▶ requested (a technician took it), or withdrawn.
 * A request held back by Intune's write budget is `waiting` until it goes (─▶ requested); one that never went
 * is deleted, since nothing happened in Intune.
 */
export type SessionState = 'asked' | 'withdrawn' | 'waiting' | 'requested' | 'submitted' | 'reported' | 'cancelled' | 'failed';

/** The process that holds a waiting request in memory (with the technician's token, under single sign-on). */
export interface WaitingOwner {
  host: string;
  pid: number;
  /** When that process started: a pid seen again on the same host may be another process's. */
  startedAt: string;
}

/** The technician's own device, as offered on the card (a snapshot taken when the session started). */
export type HelperDevice = Pick<ManagedDevice, 'id' | 'deviceName' | 'azureADDeviceId' | 'operatingSystem' | 'osVersion' | 'managementState'>;

/** What the technician entered, after validation; times are ISO 8601 with the technician's offset. */
export interface SessionReport {
  sessionType: RemoteAssistanceSessionType;
  startDateTime: string;
  endDateTime: string;
  helperDeviceId: string | null;
}

/** The person who asked for help with their own device. */
export interface Requester {
  aadObjectId: string;
  name: string;
  /** Their Teams id (29:…), to open a personal chat with them. */
  teamsId: string;
  locale: string;
  timeZone: string;
  /** Where Teams reached the bot from (activity.serviceUrl), for messages sent outside a turn. */
  serviceUrl: string;
  /** Their personal chat with the bot, when they asked from there. */
  chatId?: string;
}

export interface Session {
  id: string;
  state: SessionState;
  tenantId: string;
  conversationId: string;
  /** Empty (no id) while a request waits for a technician to take it; `teamsId` (29:…) shows them their own view of a shared card. */
  technician: { aadObjectId: string; name: string; teamsId?: string };
  /** IANA zone and locale of the technician's Teams client when the session started. */
  timeZone: string;
  locale: string;
  device: ManagedDevice;
  helperDevices: HelperDevice[];
  /** When Intune was asked (the session's earliest start); for a request not yet taken, when it was made. */
  createdAt: string;
  updatedAt: string;
  /** Intune did not confirm the request (no answer, a reset, a 5xx): the prompt may still have reached the device. */
  unconfirmed?: boolean;
  /** The device's page in the Intune admin center, where Remote Help is launched (the configured host, when the session started). */
  intuneUrl?: string;
  /** What Intune said of the session after the request, once it said anything; shown on the live card. */
  assistance?: AssistanceFound;
  report?: SessionReport;
  /** Where the session's card was posted, so the report worker can update it in place after the turn. */
  card?: CardAddress;
  /** When the technician submitted (or retried): reports are retried for a while from then. */
  submittedAt?: string;
  /** While a worker is sending the report: when its claim lapses, another worker may take over. */
  deliveryLeaseUntil?: string;
  /** When the worker means to try again after a transient failure; the sweep leaves the session alone till then. */
  nextAttemptAt?: string;
  reportedAt?: string;
  /** While `waiting`: the latest the owner makes the request or gives it up; past it (and a grace) it is lost. */
  waitingUntil?: string;
  waitingOwner?: WaitingOwner;
  /** Set on a request: who asked, what they wrote, and what happened to it. */
  requester?: Requester;
  problem?: string;
  askedAt?: string;
  /** The requester's own copy of the request card, in their personal chat, when they asked there. */
  requesterCard?: CardAddress;
  takenAt?: string;
  withdrawnAt?: string;
  remindedAt?: string;
  cancelledAt?: string;
  /** Set with `cancelledAt` when the housekeeping closed a session left `requested` (never logged) for too long. */
  abandonedAt?: string;
  /** Why the last report attempt failed: shown on the card; set with state `failed` when it was final. */
  failure?: ReportFailure;
}

/**
 * The device's `remoteAssistanceSessionUrl` and `remoteAssistanceSessionErrorDetails` as first seen after the
 * request. Both come from outside: the link is kept only when it is https, the error is shown escaped.
 */
export interface AssistanceFound {
  /** The https link that opens the session. */
  sessionUrl?: string;
  /** Intune's own words on why no session could be set up (trimmed, at most 500 characters). */
  errorDetails?: string;
  /** Intune gave a link that was not https: it is not offered, and not kept. */
  linkRefused?: boolean;
  at: string;
}

/** The channel's own reference to a posted card, kept opaque below the bot. */
export interface CardAddress {
  activityId?: string;
  conversation: Record<string, unknown>;
}

export interface ReportFailure {
  kind: string;
  status?: number;
  code?: string;
  at: string;
}
