import { ClientSecretCredential, OnBehalfOfCredential } from '@azure/identity';
import path from 'node:path';
import { AccessPolicy } from './assist/accessPolicy';
import { CancelSession } from './assist/cancelSession';
import { DeliverReport } from './assist/deliverReport';
import { ListSessions } from './assist/listSessions';
import type { ReportQueue, SessionCards } from './assist/ports';
import { RetryReport } from './assist/retryReport';
import { SignedInStart } from './assist/signedInStart';
import { StartAssistance } from './assist/startAssistance';
import { SubmitReport } from './assist/submitReport';
import type { AssistUseCases } from './assist/useCases';
import type { TokenCredential } from '@azure/identity';
import type { AppConfig } from './config';
import { createGraphClient } from './graph/graphClient';
import { IntuneGraphService } from './graph/intuneGraphService';
import { WritePacer } from './graph/writePacer';
import type { Logger } from './log';
import { BlobSessionStore, SESSIONS_CONTAINER } from './sessions/blobSessionStore';
import { OnceLedger } from './sessions/onceLedger';
import { PendingSignIns } from './sessions/pendingSignIns';
import { ReportOutbox } from './sessions/reportOutbox';
import { startEmbeddedAzurite } from './storage/embeddedAzurite';
import { storageClients, storageTarget } from './storage/storageConfig';
import { ReportWorker } from './worker/reportWorker';

/** Longest Retry-After waited out inside a Teams turn, and how often: an invoke must answer within seconds. */
const GRAPH_MAX_RETRY_WAIT_SEC = 2;
const GRAPH_MAX_RETRIES = 2;

export interface App {
  useCases: AssistUseCases;
  worker: ReportWorker<Awaited<ReturnType<ReportOutbox['receive']>>[number]>;
  /** Throws when storage or the queue cannot be reached (the readiness probe). */
  ready(): Promise<void>;
  /** Stops the worker (after the reports in hand) and the embedded storage. */
  stop(): Promise<void>;
}

/** Builds the product from configuration: the one place that knows which implementation backs each port. */
export async function composeApp(config: AppConfig, log: Logger, cards: SessionCards): Promise<App> {
  const { graph } = config;
  const credential = new ClientSecretCredential(graph.tenantId, graph.clientId, graph.clientSecret, {
    authorityHost: graph.authorityHost,
    // A custom authority (sovereign cloud, local emulator) is taken as given, not discovered.
    disableInstanceDiscovery: Boolean(graph.authorityHost),
  });
  // Intune's write budget, split so that a backlog of reports never keeps a technician waiting in a turn.
  const interactiveWrites = new WritePacer(Math.max(1, Math.floor(graph.writesPer20s / 4)), 20_000);
  const backgroundWrites = new WritePacer(Math.max(1, graph.writesPer20s - Math.floor(graph.writesPer20s / 4)), 20_000);
  const graphWith = (as: TokenCredential, writes = interactiveWrites) =>
    new IntuneGraphService(
      createGraphClient({ baseUrl: graph.baseUrl, scope: graph.scope, credential: as, maxRetryWaitSec: GRAPH_MAX_RETRY_WAIT_SEC, maxRetries: GRAPH_MAX_RETRIES }),
      writes,
    );
  const intune = graphWith(credential);
  // With single sign-on, Intune is asked as the technician (on-behalf-of their Teams token).
  const graphAsUser = (userAssertionToken: string) => {
    // The credential passes its options to MSAL, which honours disableInstanceDiscovery; its type omits it.
    const options = {
      tenantId: graph.tenantId,
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
      userAssertionToken,
      authorityHost: graph.authorityHost,
      disableInstanceDiscovery: Boolean(graph.authorityHost),
    };
    return graphWith(new OnBehalfOfCredential(options));
  };
  if (!config.sso) log.info('single sign-on is not configured (SSO_APP_ID_URI, SSO_CONNECTION_NAME): every Graph call uses the app\'s own credential');

  const target = storageTarget(config.storage);
  const azurite = target.kind === 'embedded' ? await startEmbeddedAzurite({ dataDir: path.resolve(config.storage.dataDir, 'azurite'), log: (m) => log.info(m) }) : undefined;
  if (azurite) log.info({ dataDir: config.storage.dataDir }, 'no Azure Storage configured: running embedded Azurite on loopback');
  const clients = storageClients(azurite ? { kind: 'connectionString', connectionString: azurite.connectionString } : target);
  const store = new BlobSessionStore(clients.blobService);
  const outbox = new ReportOutbox(clients.queueService, (message) => log.warn(message));
  try {
    await Promise.all([store.init(), outbox.init()]);
  } catch (error) {
    await azurite?.stop();
    const source = { connectionString: 'AZURE_STORAGE_CONNECTION_STRING', accountUrl: 'AZURE_STORAGE_ACCOUNT_URL', embedded: 'the embedded Azurite under ASSISTDESK_DATA_DIR' }[target.kind];
    throw new Error(`Azure Storage could not be reached through ${source}: ${(error as Error).cause ?? (error as Error).message}`);
  }

  const once = new OnceLedger(clients.blobService.getContainerClient(SESSIONS_CONTAINER));
  const start = new StartAssistance(intune, store, once, log);
  const authority = graph.authorityHost ?? 'https://login.microsoftonline.com';
  const signedIn = config.sso && {
    start: new SignedInStart(new PendingSignIns(clients.blobService.getContainerClient(SESSIONS_CONTAINER)), start, graphAsUser, once),
    ...config.sso,
    consentUrl: `${authority}/${graph.tenantId}/adminconsent?client_id=${graph.clientId}`,
  };

  const deliver = new DeliverReport(graphWith(credential, backgroundWrites), store, cards, graph.reportPayload, log);
  const worker = new ReportWorker(outbox, (sessionId, attempt) => deliver.run(sessionId, attempt), log);
  // A report queued here is picked up at once rather than at the next poll.
  const queue: ReportQueue = {
    async enqueue(sessionId, delaySec) {
      await outbox.enqueue(sessionId, delaySec);
      worker.wake();
    },
  };

  return {
    useCases: {
      start,
      submit: new SubmitReport(store, queue),
      cancel: new CancelSession(store, log),
      retry: new RetryReport(store, queue),
      list: new ListSessions(store),
      access: new AccessPolicy(intune, config.access),
      signedIn,
    },
    worker,
    ready: async () => {
      await Promise.all([store.ping(), outbox.ping()]);
    },
    stop: async () => {
      await worker.stop();
      await azurite?.stop();
    },
  };
}
