import { AccessPolicy } from './assist/accessPolicy';
import { CancelSession } from './assist/cancelSession';
import { DEFAULT_DELIVERY_POLICY, DeliverReport } from './assist/deliverReport';
import { intuneDevicePage } from './assist/links';
import { ListSessions } from './assist/listSessions';
import { AskForHelp } from './assist/askForHelp';
import { AbandonSessions } from './assist/abandonSessions';
import { GiveUpLostWaits } from './assist/giveUpLostWaits';
import { ExpireSessions } from './assist/expireSessions';
import { OpenRequests } from './assist/openRequests';
import type { ReportQueue, RequestNotices, SessionCards } from './assist/ports';
import { TakeRequest } from './assist/takeRequest';
import { ViewSession } from './assist/viewSession';
import { WithdrawRequest } from './assist/withdrawRequest';
import { RequeueStranded } from './assist/requeueStranded';
import { RetryReport } from './assist/retryReport';
import { ShowSessionLink } from './assist/showSessionLink';
import { SignedInStart } from './assist/signedInStart';
import { StartAssistance } from './assist/startAssistance';
import { SubmitReport } from './assist/submitReport';
import type { AssistUseCases } from './assist/useCases';
import type { TokenCredential } from '@azure/identity';
import { appCredentials } from './appCredential';
import type { AppConfig } from './config';
import { createGraphClient } from './graph/graphClient';
import { IntuneGraphService } from './graph/intuneGraphService';
import { WritePacer, type WritePriority } from './graph/writePacer';
import type { Logger } from './log';
import { openStore } from './store/openStore';
import { traceStore } from './store/tracedStore';
import type { Metrics } from './telemetry/metrics';
import { OtelMetrics } from './telemetry/otelMetrics';
import { inSpan } from './telemetry/spans';
import type { OutboxMessage } from './store/ports';
import { ReportWorker } from './worker/reportWorker';
import { DEFAULT_LINK_POLL_POLICY, SessionLinkPoller } from './worker/sessionLinkPoller';
import { processGone, THIS_PROCESS } from './worker/processIdentity';
import { Sweeper } from './worker/sweeper';

/** Longest Retry-After waited out inside a Teams turn, and how often: an invoke must answer within seconds. */
const GRAPH_MAX_RETRY_WAIT_SEC = 2;
const GRAPH_MAX_RETRIES = 2;
/**
 * Longest one Graph call may take inside a turn, retries included. A start makes at most three in a row, so
 * a Graph that stops answering is reported well within Teams' 15 s for a message (and the first hung call
 * within an invoke's few seconds).
 */
const GRAPH_TURN_DEADLINE_MS = 3500;
/** One look for a session's link, outside the turn: short, since the next look is never far off and a shutdown waits for the looks under way. */
const LINK_LOOK_DEADLINE_MS = 5000;
/** Longest a turn waits for Intune's write budget: past it the technician is told when the request will go. */
const BUDGET_TURN_WAIT_MS = 500;
/** Reports in hand at once per instance. */
const WORKER_BATCH = 16;
/** Once-claims guard against Teams' retries and double clicks (seconds to minutes); a day is ample. */
const ONCE_CLAIM_TTL_SEC = 24 * 3600;
/** A parked sign-in is good for 10 minutes (SignedInStart); kept an hour, then removed. */
const PENDING_SIGN_IN_TTL_SEC = 3600;
const CREDENTIAL_NAMES = { secret: 'client secret', certificate: 'certificate', managedIdentity: 'federated credential (the managed identity)' } as const;

export interface App {
  useCases: AssistUseCases;
  /** Where the bot counts its turns (a no-op unless a telemetry SDK was started). */
  metrics: Metrics;
  /** Starts the report worker and the housekeeping sweep. */
  start(): void;
  /** Throws when storage or the queue cannot be reached (the readiness probe). */
  ready(): Promise<void>;
  /**
   * Stops the worker (after the reports in hand), the sweep and the watch for session links, then closes the
   * store; `beforeClose` runs while the store is still open (the last export asks it the outbox's depth).
   */
  stop(beforeClose?: () => Promise<void>): Promise<void>;
}

/** Builds the product from configuration: the one place that knows which implementation backs each port. */
export async function composeApp(config: AppConfig, log: Logger, cards: SessionCards, notices: RequestNotices): Promise<App> {
  const { graph } = config;
  const credentials = appCredentials(graph);
  const credential = credentials.app;
  log.info({ credential: graph.credential.kind }, `the app signs in to Microsoft Graph with its ${CREDENTIAL_NAMES[graph.credential.kind]}`);
  // One Intune write budget: technicians' requests go first, queued reports use what is left. A turn never
  // waits for it longer than BUDGET_TURN_WAIT_MS: the request is then made when room comes, outside the turn.
  // With a managed identity configured, Azure Storage signs in as it (not DefaultAzureCredential's guess).
  const store = traceStore(await openStore(config.storage, log, credentials.managedIdentity));
  // No-op instruments unless src/telemetry/start.ts started an SDK.
  const metrics = new OtelMetrics();
  metrics.observeOutbox(() => store.outbox.stats());
  const writes = new WritePacer(graph.writesPer20s, 20_000, Date.now, {
    ledger: store.writeBudget,
    onUnavailable: (error) => log.warn({ err: error }, "the store could not count Intune's write budget: this instance's own count is used"),
  }, metrics);
  const graphWith = (as: TokenCredential, priority: WritePriority = 'interactive', deadlineMs = GRAPH_TURN_DEADLINE_MS, maxRetries = GRAPH_MAX_RETRIES) =>
    new IntuneGraphService(
      createGraphClient({ baseUrl: graph.baseUrl, scope: graph.scope, credential: as, maxRetryWaitSec: GRAPH_MAX_RETRY_WAIT_SEC, maxRetries, log, metrics }),
      writes,
      deadlineMs,
      priority,
      BUDGET_TURN_WAIT_MS,
    );
  const intune = graphWith(credential);
  // With single sign-on, Intune is asked as the technician (on-behalf-of their Teams token).
  const graphAsUser = (userAssertionToken: string) => graphWith(credentials.onBehalfOf(userAssertionToken));
  if (!config.sso) log.info('single sign-on is not configured (SSO_APP_ID_URI, SSO_CONNECTION_NAME): every Graph call uses the app\'s own credential');

  const start = new StartAssistance(intune, store.sessions, store.once, log, (deviceId) => intuneDevicePage(config.intune.adminCenterUrl, deviceId), THIS_PROCESS);
  const authority = graph.authorityHost ?? 'https://login.microsoftonline.com';
  const signedIn = config.sso && {
    start: new SignedInStart(store.signIns, start, graphAsUser, store.once),
    ...config.sso,
    consentUrl: `${authority}/${graph.tenantId}/adminconsent?client_id=${graph.clientId}`,
  };

  const { reports } = config;
  const policy = { ...DEFAULT_DELIVERY_POLICY, retryWindowSec: reports.retryWindowSec, leaseSec: reports.leaseSec };
  // A delivery makes three calls after waiting up to 20 s for write budget: each gets a fifth of the lease, so
  // the whole delivery ends before the lease lapses and no other worker sends the same report meanwhile.
  const workerDeadlineMs = Math.min(30_000, (reports.leaseSec * 1000) / 5);
  const deliver = new DeliverReport(graphWith(credential, 'background', workerDeadlineMs), store.sessions, cards, graph.reportPayload, log, policy, undefined, undefined, metrics);
  // A message stays hidden longer than the lease, so it never comes back while its delivery still runs.
  const visibilityTimeoutSec = Math.ceil(reports.leaseSec * 1.5);
  // Each delivery is a trace of its own: its Graph calls and store writes under one span.
  const deliverTraced = (sessionId: string, attempt: number) => inSpan('report delivery', () => deliver.run(sessionId, attempt), { 'assistdesk.report.attempt': attempt });
  const worker = new ReportWorker<OutboxMessage>(store.outbox, deliverTraced, log, {
    batchSize: WORKER_BATCH,
    visibilityTimeoutSec,
    idleMs: reports.pollMs,
  });
  // A report queued here is picked up at once rather than at the next poll.
  const queue: ReportQueue = {
    async enqueue(sessionId, delaySec) {
      await store.outbox.enqueue(sessionId, delaySec);
      worker.wake();
    },
  };
  const requests = new OpenRequests(store.sessions, notices, config.requests.reminderMin, log);
  // Reads with the app's credential, outside the turn (a read: no write budget is taken). The watch's own
  // backoff is its only retry, so a failing Graph costs one request per look.
  const showLink = new ShowSessionLink(graphWith(credential, 'background', LINK_LOOK_DEADLINE_MS, 0), store.sessions, cards, log);
  const linkPoller = new SessionLinkPoller((watch) => showLink.run(watch), log, { ...DEFAULT_LINK_POLL_POLICY, waitMs: config.intune.sessionLinkWaitSec * 1000 });
  const expireSessions = new ExpireSessions(store.sessions, config.retention.sessionDays, log);
  const abandonSessions = new AbandonSessions(store.sessions, config.retention.abandonAfterHours, log);
  const lostWaits = new GiveUpLostWaits(store.sessions, cards, (owner) => processGone(owner), log);
  const sweeper = new Sweeper(
    [
      // Twice the visibility timeout: by then a message behind the session would have come back twice.
      { name: 'requeueStranded', run: () => new RequeueStranded(store.sessions, queue, visibilityTimeoutSec * 2, log).run() },
      { name: 'remindRequests', run: () => requests.remind() },
      { name: 'expireClaims', run: () => store.expire({ onceClaimSec: ONCE_CLAIM_TTL_SEC, pendingSignInSec: PENDING_SIGN_IN_TTL_SEC }) },
      { name: 'indexEarlierSessions', run: () => store.sessions.indexEarlier?.() ?? Promise.resolve(0) },
      { name: 'abandonSessions', run: () => abandonSessions.run() },
      { name: 'giveUpLostWaits', run: () => lostWaits.run() },
      { name: 'expireSessions', run: () => expireSessions.run() },
    ],
    reports.sweepSec * 1000,
    log,
  );

  return {
    metrics,
    useCases: {
      start,
      submit: new SubmitReport(store.sessions, queue),
      cancel: new CancelSession(store.sessions, log),
      retry: new RetryReport(store.sessions, queue),
      list: new ListSessions(store.sessions),
      access: new AccessPolicy(intune, { ...config.access, requestsEnabled: config.requests.enabled, requesterGroupId: config.requests.requesterGroupId }),
      ask: new AskForHelp(intune, store.sessions, store.once, log),
      take: new TakeRequest(intune, store.sessions, store.once, notices, log),
      withdraw: new WithdrawRequest(store.sessions, store.once, notices, log),
      requests,
      notices,
      view: new ViewSession(store.sessions),
      helpdeskChannel: config.requests.helpdeskChannelId,
      sessionLink: linkPoller,
      signedIn,
    },
    start: () => {
      worker.start();
      sweeper.start();
      // A request this machine's earlier process held when it stopped is told at once, not at the next sweep.
      lostWaits.run().catch((error) => log.warn({ err: error }, 'could not look for requests lost with an earlier process'));
    },
    ready: () => store.ping(),
    stop: async (beforeClose) => {
      await Promise.all([worker.stop(), sweeper.stop(), linkPoller.stop()]);
      try {
        await beforeClose?.();
      } finally {
        await store.close();
      }
    },
  };
}
