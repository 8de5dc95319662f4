// Child-process probe: drives the emulators with the real SDKs the bot uses (@azure/identity +
// @microsoft/microsoft-graph-client), the way the bot process would, and prints one JSON result.
// Run: PROBE='{"authorityHost":...,"steps":[...]}' NODE_EXTRA_CA_CERTS=<pem> node --import tsx sdkProbe.ts
// (NODE_EXTRA_CA_CERTS is read only at process start, hence a separate process.)
import { ClientSecretCredential } from '@azure/identity';
import { Client, GraphError, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';

export interface ProbeStep {
  name: string;
  method: 'get' | 'post';
  /** Graph version; api() prepends it (a path that already starts with /v1.0 would be doubled). */
  version?: 'v1.0' | 'beta';
  /** Path without version, e.g. "/deviceManagement/managedDevices?$filter=..." (passed to api()). */
  path: string;
  body?: unknown;
  /** Applied with the client's .filter() / .select() (how the bot builds queries). */
  filter?: string;
  select?: string[];
  /** Follow every @odata.nextLink with client.api(nextLink) and return all items. */
  allPages?: boolean;
  /** Plain fetch without the Graph client and without a token (to see 401s). */
  anonymous?: boolean;
  /** Turn off the client's RetryHandler for this call (it retries 429/503/504 by default). */
  noRetry?: boolean;
}

export interface ProbeConfig {
  authorityHost: string; tenantId: string; clientId: string; clientSecret: string; graphBaseUrl: string;
  steps: ProbeStep[];
}

export interface ProbeResult {
  name: string;
  ok: boolean;
  value?: unknown;
  error?: { statusCode: number; code: string | null; message: string; requestId: string | null; body: unknown; headers: Record<string, string> };
  ms: number;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env.PROBE ?? '{}') as ProbeConfig;
  const credential = new ClientSecretCredential(cfg.tenantId, cfg.clientId, cfg.clientSecret, {
    authorityHost: cfg.authorityHost,
    disableInstanceDiscovery: true, // otherwise MSAL asks login.microsoftonline.com
  });
  const token = await credential.getToken('https://graph.microsoft.com/.default');
  const client = Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
    baseUrl: cfg.graphBaseUrl,
    // The client attaches tokens (and telemetry headers) only for Graph hosts and these custom hosts.
    customHosts: new Set([new URL(cfg.graphBaseUrl).hostname]),
  });
  const results: ProbeResult[] = [];
  for (const step of cfg.steps) {
    const t0 = Date.now();
    try {
      if (step.anonymous) {
        const res = await fetch(`${cfg.graphBaseUrl}/${step.version ?? 'v1.0'}${step.path}`, { method: step.method.toUpperCase() });
        const error = { statusCode: res.status, code: null, message: '', requestId: null, body: await res.json(), headers: Object.fromEntries(res.headers) };
        results.push({ name: step.name, ok: res.ok, error, ms: Date.now() - t0 });
        continue;
      }
      let req = client.api(step.path).version(step.version ?? 'v1.0');
      if (step.filter) req = req.filter(step.filter);
      if (step.select) req = req.select(step.select);
      if (step.noRetry) req = req.middlewareOptions([new RetryHandlerOptions(0, 0)]);
      let value = step.method === 'post' ? await req.post(step.body) : await req.get();
      if (step.allPages) {
        const items: unknown[] = [...value.value];
        const links: string[] = [];
        while (value['@odata.nextLink']) {
          links.push(value['@odata.nextLink']);
          value = await client.api(value['@odata.nextLink']).get();
          items.push(...value.value);
        }
        value = { items, links };
      }
      results.push({ name: step.name, ok: true, value, ms: Date.now() - t0 });
    } catch (err) {
      const e = err as GraphError;
      const headers: Record<string, string> = {};
      e.headers?.forEach((v, k) => { headers[k] = v; });
      let body: unknown = e.body;
      try { body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body; } catch { /* keep raw */ }
      results.push({ name: step.name, ok: false, error: { statusCode: e.statusCode, code: e.code, message: e.message, requestId: e.requestId, body, headers }, ms: Date.now() - t0 });
    }
  }
  process.stdout.write(JSON.stringify({ token: token.token, results }));
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ fatal: String(err?.stack ?? err) }));
  process.exitCode = 1;
});
