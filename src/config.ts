// One typed, validated view of the environment, read once at start.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type ReportPayloadShape = 'full' | 'legacy';

/**
 * How the app registration proves itself to Entra for Microsoft Graph: its client secret (the local demo), a
 * certificate (a PEM file with the private key and the certificate), or a user-assigned managed identity whose
 * token is the client assertion of a federated identity credential on the app registration.
 */
export type GraphCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; path: string; password?: string }
  | { kind: 'managedIdentity'; clientId: string };

/**
 * Where traces and metrics go: Application Insights, an OTLP/HTTP collector, both, or (neither set) nowhere,
 * with no telemetry SDK loaded at all.
 */
export interface TelemetryConfig {
  /** APPLICATIONINSIGHTS_CONNECTION_STRING, as the Azure portal shows it. */
  applicationInsights?: { connectionString: string };
  /** OTEL_EXPORTER_OTLP_ENDPOINT without a trailing slash; /v1/traces and /v1/metrics are appended. */
  otlp?: { endpoint: string };
}

export interface AppConfig {
  port: number;
  telemetry: TelemetryConfig;
  logLevel: string;
  /**
   * Teams single sign-on: the Application ID URI Teams gets the technician's token for, and the Azure Bot
   * OAuth connection named on the sign-in card. Unset: every Graph call uses the app's own credential.
   */
  sso?: { appIdUri: string; connectionName: string };
  /**
   * Who may use the bot: the tenants served (AZURE_TENANT_ID's unless ALLOWED_TENANT_IDS names others) and the
   * Entra group of technicians. `anyUserActs`: the admin chose, on purpose, to let every user act without a group.
   */
  access: { allowedTenantIds: string[]; technicianGroupId?: string; technicianGroupContact?: string; anyUserActs: boolean };
  /**
   * Requests from the people who need help: on unless turned off; limited to a group when one is named;
   * posted to the helpdesk channel when made in a personal chat; raised again after `reminderMin` (0: never).
   */
  requests: { enabled: boolean; requesterGroupId?: string; helpdeskChannelId?: string; reminderMin: number };
  /** Azure Storage for sessions and the report outbox; neither set means the SQLite file under dataDir. */
  storage: { connectionString?: string; accountUrl?: string; queueUrl?: string; dataDir: string; maxSizeMb?: number };
  /** The report worker: how long reports are retried, a worker's lease on one, and its housekeeping. */
  reports: { retryWindowSec: number; leaseSec: number; pollMs: number; sweepSec: number };
  /**
   * How long session records are kept (days after creation; 0: for ever), and after how many hours without a
   * change a session left `requested` is closed as abandoned (0: never).
   */
  retention: { sessionDays: number; abandonAfterHours: number };
  /**
   * The bot's own identity, and the whole environment botbuilder's authentication reads (aliases applied).
   * `managedIdentity`: MicrosoftAppType is UserAssignedMSI, so `appId` is the client id of the bot's managed identity.
   */
  bot: { appId?: string; managedIdentity: boolean; environment: Record<string, string | undefined> };
  /**
   * The Intune admin center, whose device page the session card links to ("Open in Intune", where Remote Help
   * is launched), and how long after a request the bot watches the device for Intune's session link or error.
   */
  intune: { adminCenterUrl: string; sessionLinkWaitSec: number };
  graph: {
    baseUrl: string;
    /** The token scope; differs from the base URL's origin behind a proxy or an emulator. */
    scope: string;
    tenantId: string;
    clientId: string;
    credential: GraphCredential;
    authorityHost?: string;
    /** `full`: the 20 properties with helperOs/sharerOs; `legacy`: the older 18. */
    reportPayload: ReportPayloadShape;
    /** This instance's share of Intune's write budget (200 per 20 s per app and tenant). */
    writesPer20s: number;
  };
}

/** Thrown when the environment cannot start the bot; lists every bad variable by name. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Teams Toolkit names, accepted as aliases of the botbuilder ones. */
const BOT_ALIASES: Record<string, string> = {
  BOT_ID: 'MicrosoftAppId',
  BOT_PASSWORD: 'MicrosoftAppPassword',
  BOT_TYPE: 'MicrosoftAppType',
  BOT_TENANT_ID: 'MicrosoftAppTenantId',
};

/** The environment botbuilder reads, with Teams Toolkit aliases filled in where the botbuilder name is unset. */
function botEnvironment(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = { ...env };
  for (const [alias, name] of Object.entries(BOT_ALIASES)) {
    if (!result[name] && env[alias]) result[name] = env[alias];
  }
  return result;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The telemetry variables alone: src/telemetry/start.ts needs them before anything else is loaded, and
 * loadConfig reports their problems with the others.
 */
export function readTelemetryConfig(env: NodeJS.ProcessEnv): { telemetry: TelemetryConfig; problems: string[] } {
  const problems: string[] = [];
  const telemetry: TelemetryConfig = {};
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (connectionString) {
    const fields = new Map(
      connectionString.split(';').filter(Boolean).map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim()] as const;
      }),
    );
    const key = fields.get('instrumentationkey');
    const ingestion = fields.get('ingestionendpoint');
    if (!key || !GUID.test(key)) {
      problems.push('APPLICATIONINSIGHTS_CONNECTION_STRING must hold InstrumentationKey=<GUID> (copy it from the Application Insights resource\'s overview)');
    } else if (ingestion && !secureOrLoopback(ingestion)) {
      problems.push(`APPLICATIONINSIGHTS_CONNECTION_STRING has an IngestionEndpoint that is not an https:// URL (got "${ingestion}")`);
    } else {
      telemetry.applicationInsights = { connectionString };
    }
  }
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      // reported below
    }
    // Plain http is usual for a collector beside the bot (a sidecar); the spans carry no secrets.
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash) {
      problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's OTLP/HTTP base URL, e.g. http://localhost:4318 (got "${endpoint}")`);
    } else {
      telemetry.otlp = { endpoint: endpoint.replace(/\/+$/, '') };
    }
  }
  return { telemetry, problems };
}

function secureOrLoopback(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname));
  } catch {
    return false;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const telemetryConfig = readTelemetryConfig(env);
  const problems: string[] = [...telemetryConfig.problems];
  const botEnv = botEnvironment(env);
  const value = (name: string, source: Record<string, string | undefined> = env) => source[name]?.trim() || undefined;
  const required = (name: string, hint: string) => {
    const v = value(name);
    if (!v) problems.push(`${name} is not set: ${hint}`);
    return v ?? '';
  };
  const httpsUrl = (name: string, fallback?: string) => {
    const v = value(name) ?? fallback;
    if (v === undefined) return undefined;
    try {
      const url = new URL(v);
      if (url.protocol !== 'https:') problems.push(`${name} must be an https:// URL (got "${v}")`);
      return url.origin + url.pathname.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} is not a valid URL (got "${v}")`);
      return undefined;
    }
  };

  // Storage endpoints may be plain http only on loopback (Azurite).
  const httpsOrLoopbackUrl = (name: string) => {
    const v = value(name);
    if (v === undefined) return undefined;
    try {
      const url = new URL(v);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) problems.push(`${name} must be an https:// URL (got "${url.origin}${url.pathname}")`);
      if (url.search) problems.push(`${name} must not carry a query string (a SAS token belongs in AZURE_STORAGE_CONNECTION_STRING)`);
      return v.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} is not a valid URL (got "${v}")`);
      return undefined;
    }
  };

  const portText = value('PORT') ?? '3978';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) problems.push(`PORT must be a port number from 1 to 65535 (got "${portText}")`);

  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const appId = value('MicrosoftAppId', botEnv);
  if (appId && !GUID.test(appId)) problems.push(`MicrosoftAppId must be a GUID (got "${appId}")`);
  const appType = value('MicrosoftAppType', botEnv);
  if (appType && !APP_TYPES.includes(appType)) problems.push(`MicrosoftAppType must be one of ${APP_TYPES.join(', ')} (got "${appType}")`);
  if (appId && appType !== 'UserAssignedMSI' && !value('MicrosoftAppPassword', botEnv) && !value('CertificateThumbprint', botEnv)) {
    problems.push('MicrosoftAppPassword is not set: the bot registration secret is required when MicrosoftAppId is set');
  }
  // botbuilder asserts this at start (a stack trace): say it by name instead.
  if (appType === 'UserAssignedMSI' && value('MicrosoftAppPassword', botEnv)) {
    problems.push("MicrosoftAppPassword must not be set when MicrosoftAppType is UserAssignedMSI: the bot signs in as its managed identity (MicrosoftAppId is the identity's client id)");
  }
  if (appType === 'UserAssignedMSI' && !appId) problems.push("MicrosoftAppId is not set: with MicrosoftAppType UserAssignedMSI it is the client id of the bot's managed identity");
  if ((appType === 'SingleTenant' || appType === 'UserAssignedMSI') && !value('MicrosoftAppTenantId', botEnv)) {
    problems.push(`MicrosoftAppTenantId is not set: it is required when MicrosoftAppType is ${appType}`);
  }

  const tenantId = required('AZURE_TENANT_ID', 'the Entra tenant whose Intune the bot manages');
  if (tenantId && !GUID.test(tenantId) && !DOMAIN.test(tenantId)) problems.push(`AZURE_TENANT_ID must be a tenant GUID or domain (got "${tenantId}")`);
  const clientId = required('AZURE_CLIENT_ID', 'the app registration used to call Microsoft Graph');
  if (clientId && !GUID.test(clientId)) problems.push(`AZURE_CLIENT_ID must be a GUID (got "${clientId}")`);
  const credential = graphCredential(env, Boolean(value('SSO_APP_ID_URI')), problems);

  const reportPayload = (value('REPORT_PAYLOAD') ?? 'full') as ReportPayloadShape;
  if (reportPayload !== 'full' && reportPayload !== 'legacy') problems.push(`REPORT_PAYLOAD must be "full" or "legacy" (got "${reportPayload}")`);

  const writesText = value('INTUNE_WRITES_PER_20S') ?? '200';
  const writesPer20s = Number(writesText);
  if (!/^\d+$/.test(writesText) || writesPer20s < 1 || writesPer20s > 200) problems.push(`INTUNE_WRITES_PER_20S must be a whole number from 1 to 200 (got "${writesText}")`);

  const graphBaseUrl = httpsUrl('GRAPH_BASE_URL', 'https://graph.microsoft.com');
  const graphScope = value('GRAPH_SCOPE') ?? 'https://graph.microsoft.com/.default';
  if (!/^https:\/\/\S+\/\.default$/.test(graphScope)) problems.push(`GRAPH_SCOPE must look like https://graph.microsoft.com/.default (got "${graphScope}")`);
  const authorityHost = httpsUrl('AZURE_AUTHORITY_HOST');

  const allowedTenantIds = (value('ALLOWED_TENANT_IDS') ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const badTenants = allowedTenantIds.filter((t) => !GUID.test(t));
  if (badTenants.length) problems.push(`ALLOWED_TENANT_IDS must be a comma-separated list of tenant GUIDs (not "${badTenants.join('", "')}")`);
  // Closed by default: only the tenant whose Intune the bot reaches, unless other tenants are named on purpose.
  if (!allowedTenantIds.length && GUID.test(tenantId)) allowedTenantIds.push(tenantId.toLowerCase());
  else if (!allowedTenantIds.length && tenantId) {
    problems.push(`ALLOWED_TENANT_IDS is not set: AZURE_TENANT_ID is a domain ("${tenantId}"), so name that tenant's GUID in ALLOWED_TENANT_IDS; only its users are served`);
  }
  const technicianGroupId = value('TECHNICIAN_GROUP_ID');
  if (technicianGroupId && !GUID.test(technicianGroupId)) problems.push(`TECHNICIAN_GROUP_ID must be the Entra group's object id, a GUID (got "${technicianGroupId}")`);
  const anyUserText = value('ALLOW_ANY_USER_AS_TECHNICIAN') ?? 'false';
  if (anyUserText !== 'true' && anyUserText !== 'false') problems.push(`ALLOW_ANY_USER_AS_TECHNICIAN must be "true" or "false" (got "${anyUserText}")`);
  const anyUserActs = anyUserText === 'true';
  if (appId && !technicianGroupId && !anyUserActs) {
    problems.push(
      'TECHNICIAN_GROUP_ID is not set: with MicrosoftAppId set, only members of an Entra group of technicians may look up devices and ask Intune for remote assistance. ' +
        "Set it to the group's object id, or set ALLOW_ANY_USER_AS_TECHNICIAN=true to let every user of the allowed tenants do so",
    );
  }

  const requestsText = value('REQUESTS_ENABLED') ?? 'true';
  if (requestsText !== 'true' && requestsText !== 'false') problems.push(`REQUESTS_ENABLED must be "true" or "false" (got "${requestsText}")`);
  const requesterGroupId = value('REQUESTER_GROUP_ID');
  if (requesterGroupId && !GUID.test(requesterGroupId)) problems.push(`REQUESTER_GROUP_ID must be the Entra group's object id, a GUID (got "${requesterGroupId}")`);
  const helpdeskChannelId = value('HELPDESK_CHANNEL_ID');
  if (helpdeskChannelId && !/^19:[^;\s]+@thread\.(tacv2|skype)$/.test(helpdeskChannelId)) {
    problems.push(`HELPDESK_CHANNEL_ID must be the channel's conversation id, 19:…@thread.tacv2 (from the channel's link; got "${helpdeskChannelId}")`);
  }

  const appIdUri = value('SSO_APP_ID_URI');
  const connectionName = value('SSO_CONNECTION_NAME');
  if (appIdUri && !/^api:\/\/\S+$/.test(appIdUri)) problems.push(`SSO_APP_ID_URI must be the app's Application ID URI, api://… (got "${appIdUri}")`);
  if (Boolean(appIdUri) !== Boolean(connectionName)) problems.push(`${appIdUri ? 'SSO_CONNECTION_NAME' : 'SSO_APP_ID_URI'} is not set: single sign-on needs both SSO_APP_ID_URI and SSO_CONNECTION_NAME`);

  const connectionString = value('AZURE_STORAGE_CONNECTION_STRING');
  if (connectionString && !/AccountName=|UseDevelopmentStorage=true|BlobEndpoint=/i.test(connectionString)) {
    problems.push('AZURE_STORAGE_CONNECTION_STRING is not an Azure Storage connection string (no AccountName or BlobEndpoint)');
  }
  const accountUrl = httpsOrLoopbackUrl('AZURE_STORAGE_ACCOUNT_URL');
  const queueUrl = httpsOrLoopbackUrl('AZURE_STORAGE_QUEUE_URL');
  if (connectionString && accountUrl) problems.push('AZURE_STORAGE_CONNECTION_STRING and AZURE_STORAGE_ACCOUNT_URL are both set: set one of them');
  if (accountUrl && !queueUrl && !/^https?:\/\/[^.]+\.blob\./i.test(accountUrl)) {
    problems.push('AZURE_STORAGE_QUEUE_URL is not set: it is needed when AZURE_STORAGE_ACCOUNT_URL is not an https://<account>.blob.<suffix> address');
  }

  const number = (name: string, fallback: number, min: number, max: number, unit: string) => {
    const text = value(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || n < min || n > max) problems.push(`${name} must be a number of ${unit} from ${min} to ${max} (got "${text}")`);
    return n;
  };
  const maxSizeMb = value('ASSISTDESK_DB_MAX_MB') === undefined ? undefined : number('ASSISTDESK_DB_MAX_MB', 0, 1, 1_000_000, 'megabytes');
  const retryHours = number('REPORT_RETRY_HOURS', 24, 0.01, 24 * 7, 'hours');
  const leaseSec = number('REPORT_LEASE_SEC', 60, 2, 3600, 'seconds');
  const pollMs = number('ASSISTDESK_POLL_MS', 1000, 10, 60_000, 'milliseconds');
  const sweepSec = number('ASSISTDESK_SWEEP_SEC', 60, 1, 86_400, 'seconds');
  const reminderMin = number('REQUEST_REMINDER_MIN', 15, 0, 7 * 24 * 60, 'minutes');
  // A few minutes at most: Intune answers within seconds when it answers at all; 0 turns the watch off.
  const sessionLinkWaitSec = number('SESSION_LINK_WAIT_SEC', 180, 0, 300, 'seconds');
  // More than a year by default, so a yearly audit still finds the whole year.
  const sessionDays = number('SESSION_RETENTION_DAYS', 400, 0, 36_500, 'days');
  const abandonAfterHours = number('ABANDON_AFTER_HOURS', 24, 0, 24 * 365, 'hours');

  // Sovereign clouds have their own admin center (US Government: https://intune.microsoft.us). A path is kept
  // (e.g. a tenant segment); a query or fragment would break the device page's own fragment.
  const adminCenterText = value('INTUNE_ADMIN_CENTER_URL');
  const adminCenterUrl = httpsUrl('INTUNE_ADMIN_CENTER_URL', 'https://intune.microsoft.com');
  if (adminCenterText && /[?#]/.test(adminCenterText)) problems.push(`INTUNE_ADMIN_CENTER_URL must not carry a query or a fragment (got "${adminCenterText}")`);

  if (problems.length) throw new ConfigError(problems);
  return {
    port,
    telemetry: telemetryConfig.telemetry,
    logLevel,
    sso: appIdUri && connectionName ? { appIdUri, connectionName } : undefined,
    access: { allowedTenantIds, technicianGroupId, technicianGroupContact: value('TECHNICIAN_GROUP_CONTACT'), anyUserActs },
    requests: { enabled: requestsText === 'true', requesterGroupId, helpdeskChannelId, reminderMin },
    storage: { connectionString, accountUrl, queueUrl, dataDir: value('ASSISTDESK_DATA_DIR') ?? '.data', maxSizeMb },
    reports: { retryWindowSec: Math.round(retryHours * 3600), leaseSec, pollMs, sweepSec },
    retention: { sessionDays, abandonAfterHours },
    bot: { appId, managedIdentity: appType === 'UserAssignedMSI', environment: botEnv },
    intune: { adminCenterUrl: adminCenterUrl!, sessionLinkWaitSec },
    graph: { baseUrl: graphBaseUrl!, scope: graphScope, tenantId, clientId, credential: credential!, authorityHost, reportPayload, writesPer20s },
  };
}

const CREDENTIAL_VARIABLES = ['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'MANAGED_IDENTITY_CLIENT_ID'] as const;

/** Exactly one Graph credential; a certificate file is read now, so a bad one stops the start, not the first turn. */
function graphCredential(env: NodeJS.ProcessEnv, sso: boolean, problems: string[]): GraphCredential | undefined {
  const value = (name: string) => env[name]?.trim() || undefined;
  const given = CREDENTIAL_VARIABLES.filter((name) => value(name));
  const password = env.AZURE_CLIENT_CERTIFICATE_PASSWORD || undefined;
  if (password && !value('AZURE_CLIENT_CERTIFICATE_PATH')) problems.push('AZURE_CLIENT_CERTIFICATE_PASSWORD is set without AZURE_CLIENT_CERTIFICATE_PATH: it opens the certificate file\'s private key');
  if (given.length > 1) {
    problems.push(`${given.join(' and ')} are set: set exactly one Graph credential (AZURE_CLIENT_CERTIFICATE_PATH or MANAGED_IDENTITY_CLIENT_ID in production, AZURE_CLIENT_SECRET for a local demo)`);
    return undefined;
  }
  if (!given.length) {
    problems.push(
      'AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or MANAGED_IDENTITY_CLIENT_ID is not set: the app registration needs one credential for Microsoft Graph ' +
        '(a certificate or a managed identity in production, the client secret for a local demo)',
    );
    return undefined;
  }
  const [name] = given;
  if (name === 'AZURE_CLIENT_SECRET') return { kind: 'secret', secret: value(name)! };
  if (name === 'MANAGED_IDENTITY_CLIENT_ID') {
    const clientId = value(name)!;
    if (!GUID.test(clientId)) problems.push(`MANAGED_IDENTITY_CLIENT_ID must be the managed identity's client id, a GUID (got "${clientId}")`);
    return { kind: 'managedIdentity', clientId };
  }
  const path = value(name)!;
  if (password && sso) {
    problems.push('AZURE_CLIENT_CERTIFICATE_PASSWORD cannot be used with single sign-on (SSO_APP_ID_URI): the on-behalf-of credential reads the certificate file without a password; give an unencrypted PEM file');
  }
  const problem = certificateProblem(path, password);
  if (problem) problems.push(problem);
  return { kind: 'certificate', path, password };
}

/** Why the PEM file cannot sign the app in, if it cannot: unreadable, no certificate, no key, a wrong password, a key of another certificate. */
function certificateProblem(path: string, password: string | undefined): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    return `AZURE_CLIENT_CERTIFICATE_PATH cannot be read ("${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) return `AZURE_CLIENT_CERTIFICATE_PATH holds no PEM certificate ("${path}"): it must hold the private key and the certificate`;
  if (!/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) return `AZURE_CLIENT_CERTIFICATE_PATH holds no private key ("${path}"): it must hold the private key and the certificate`;
  let key;
  try {
    key = createPrivateKey({ key: pem, passphrase: password });
  } catch {
    return password
      ? `AZURE_CLIENT_CERTIFICATE_PASSWORD does not open the private key in AZURE_CLIENT_CERTIFICATE_PATH ("${path}")`
      : `AZURE_CLIENT_CERTIFICATE_PATH holds an encrypted or unreadable private key ("${path}"): set AZURE_CLIENT_CERTIFICATE_PASSWORD, or give an unencrypted PEM file`;
  }
  try {
    if (!new X509Certificate(pem).checkPrivateKey(key)) return `AZURE_CLIENT_CERTIFICATE_PATH holds a private key that is not the certificate's ("${path}")`;
  } catch {
    return `AZURE_CLIENT_CERTIFICATE_PATH holds a certificate that cannot be read ("${path}")`;
  }
  return undefined;
}
