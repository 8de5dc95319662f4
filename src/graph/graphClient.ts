import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { retryAfterSeconds } from './graphErrors';

interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com; the client appends /v1.0 or /beta. */
  baseUrl: string;
  /** e.g. https://graph.microsoft.com/.default */
  scope: string;
  credential: TokenCredential;
  /** The longest Retry-After we wait out inside a turn; beyond it the technician is told to come back. */
  maxRetryWaitSec: number;
  maxRetries: number;
}

/**
 * A Graph client for one credential (the app's today, a technician's on-behalf-of credential with SSO).
 * The SDK's retry handler already honours Retry-After on 429/503/504; we only bound it so a Teams turn
 * never outlives its timeout.
 */
export function createGraphClient(options: GraphClientOptions): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [options.scope] });
  // A POST answered 503/504 may have been carried out (asking Intune twice); a 429 never was.
  const shouldRetry = (_delay: number, _attempt: number, _req: unknown, fetchOptions: { method?: string } | undefined, response: Response) =>
    (fetchOptions?.method !== 'POST' || response.status === 429) &&
    (retryAfterSeconds(response.headers.get('Retry-After')) ?? 1) <= options.maxRetryWaitSec;
  return Client.initWithMiddleware({
    baseUrl: options.baseUrl + '/',
    defaultVersion: 'v1.0',
    // The client sends tokens only to hosts it knows; a sovereign cloud or a local emulator must be named.
    customHosts: new Set([new URL(options.baseUrl).hostname]),
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(1, options.maxRetries, shouldRetry)),
      new RedirectHandler(),
      new HTTPMessageHandler(),
    ],
  });
}
