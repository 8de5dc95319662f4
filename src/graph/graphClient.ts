import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  type AuthenticationProvider,
  Client,
  GraphClientError,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import type { Logger } from '../log';
import { GraphCallLogHandler } from './graphCallLog';
import type { Metrics } from '../telemetry/metrics';
import { retryAfterSeconds } from './graphErrors';
import { GraphTelemetryHandler } from './graphTelemetry';
import { HttpsTransport } from './httpsTransport';

/** A token is renewed this long before it expires, as MSAL renews its cached tokens (tokenRenewalOffsetSeconds). */
const TOKEN_RENEWAL_MS = 5 * 60_000;

/** Good until 5 minutes before it expires, or until Entra said to renew it (refresh_in), whichever is first. */
const stillGood = (token: AccessToken, at: number) => at < token.expiresOnTimestamp - TOKEN_RENEWAL_MS && at < (token.refreshAfterTimestamp ?? Infinity);

/**
 * The credential's access token, kept until shortly before it expires; concurrent calls share one request
 * for a new one. MSAL keeps the token too, but finding it there on every call (authority objects built, a
 * span opened, and the SDK's provider making an Error each time) cost nearly as much as the HTTP work of a Graph
 * call: see docs/BENCHMARKS.md. A failure is thrown as the credential threw it, and the next call asks again.
 */
export function cachedTokenProvider(credential: TokenCredential, scope: string, now: () => number = Date.now): AuthenticationProvider {
  let current: AccessToken | undefined;
  let pending: Promise<AccessToken | null> | undefined;
  return {
    async getAccessToken() {
      if (current && stillGood(current, now())) return current.token;
      pending ??= credential.getToken([scope]).finally(() => (pending = undefined));
      const token = await pending;
      if (!token) {
        const error = new GraphClientError('Cannot retrieve accessToken from the Token Credential object');
        error.name = 'Access token is undefined';
        throw error;
      }
      current = token;
      return token.token;
    },
  };
}

interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com; the client appends /v1.0 or /beta. */
  baseUrl: string;
  /** e.g. https://graph.microsoft.com/.default */
  scope: string;
  credential: TokenCredential;
  /** The longest Retry-After we wait out inside a turn; beyond it the technician is told to come back. */
  maxRetryWaitSec: number;
  maxRetries: number;
  /** Each request to Graph is logged here (graphCallLog.ts). */
  log: Logger;
  /** Counts each HTTP request (operation, status, duration); it also gets a span. */
  metrics: Metrics;
}

/**
 * A Graph client for one credential (the app's today, a technician's on-behalf-of credential with SSO).
 * The SDK's retry handler already honours Retry-After on 429/503/504; we only bound it so a Teams turn
 * never outlives its timeout.
 */
export function createGraphClient(options: GraphClientOptions): Client {
  const authProvider = cachedTokenProvider(options.credential, options.scope);
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
      // Sends a fresh GUID as `client-request-id` on each request (kept across its retries) for Microsoft support.
      new TelemetryHandler(),
      new GraphCallLogHandler(options.log),
      new GraphTelemetryHandler(options.metrics),
      new HttpsTransport(),
    ],
  });
}
