import { ClientSecretCredential } from '@azure/identity';
import { CancelSession } from './assist/cancelSession';
import { StartAssistance } from './assist/startAssistance';
import { SubmitReport } from './assist/submitReport';
import type { AppConfig } from './config';
import { createGraphClient } from './graph/graphClient';
import { IntuneGraphService } from './graph/intuneGraphService';
import type { Logger } from './log';
import { MemorySessionStore } from './sessions/memorySessionStore';

/** Longest Retry-After waited out inside a Teams turn, and how often: an invoke must answer within seconds. */
const GRAPH_MAX_RETRY_WAIT_SEC = 2;
const GRAPH_MAX_RETRIES = 2;

/** Builds the use cases from configuration: the one place that knows which implementation backs each port. */
export function composeUseCases(config: AppConfig, log: Logger) {
  const { graph } = config;
  const credential = new ClientSecretCredential(graph.tenantId, graph.clientId, graph.clientSecret, {
    authorityHost: graph.authorityHost,
    // A custom authority (sovereign cloud, local emulator) is taken as given, not discovered.
    disableInstanceDiscovery: Boolean(graph.authorityHost),
  });
  const intune = new IntuneGraphService(
    createGraphClient({ baseUrl: graph.baseUrl, scope: graph.scope, credential, maxRetryWaitSec: GRAPH_MAX_RETRY_WAIT_SEC, maxRetries: GRAPH_MAX_RETRIES }),
  );
  // TEMPORARY: an in-process store until sessions move to Azure Storage (issue 3).
  const store = new MemorySessionStore();
  return {
    start: new StartAssistance(intune, store, log),
    submit: new SubmitReport(intune, store, graph.reportPayload, log),
    cancel: new CancelSession(store, log),
  };
}
