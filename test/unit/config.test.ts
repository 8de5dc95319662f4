import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

const base = { AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: '66666666-7777-8888-9999-000000000000', AZURE_CLIENT_SECRET: 's3cret' };
const group = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
};

describe('closed by default', () => {
  it("serves only AZURE_TENANT_ID's tenant unless ALLOWED_TENANT_IDS names others", () => {
    assert.deepEqual(loadConfig(base).access.allowedTenantIds, [base.AZURE_TENANT_ID]);
    const other = '99999999-2222-3333-4444-555555555555';
    assert.deepEqual(loadConfig({ ...base, ALLOWED_TENANT_IDS: other }).access.allowedTenantIds, [other]);
    assert.ok(problemsOf({ ...base, AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }).some((p) => p.startsWith('ALLOWED_TENANT_IDS is not set')));
  });

  it('refuses to start with an app identity and no technicians\' group, unless opted out on purpose', () => {
    const production = { ...base, MicrosoftAppId: '66666666-7777-8888-9999-000000000001', MicrosoftAppPassword: 'x' };
    assert.ok(problemsOf(production).some((p) => p.startsWith('TECHNICIAN_GROUP_ID is not set') && p.includes('ALLOW_ANY_USER_AS_TECHNICIAN=true')));
    assert.equal(loadConfig({ ...production, TECHNICIAN_GROUP_ID: group }).access.technicianGroupId, group);
    assert.equal(loadConfig({ ...production, ALLOW_ANY_USER_AS_TECHNICIAN: 'true' }).access.anyUserActs, true);
    assert.ok(problemsOf({ ...production, ALLOW_ANY_USER_AS_TECHNICIAN: 'yes' }).some((p) => p.startsWith('ALLOW_ANY_USER_AS_TECHNICIAN')));
    assert.equal(loadConfig(base).access.anyUserActs, false, 'local mode needs no group');
  });
});

describe('configuration', () => {
  it('has working defaults for everything but the Graph app registration', () => {
    const config = loadConfig(base);
    assert.equal(config.port, 3978);
    assert.equal(config.graph.baseUrl, 'https://graph.microsoft.com');
    assert.equal(config.graph.reportPayload, 'full');
    assert.equal(config.bot.appId, undefined);
  });

  it('names each missing or malformed variable', () => {
    const problems = problemsOf({ PORT: 'eighty', GRAPH_BASE_URL: 'http://graph.local', AZURE_AUTHORITY_HOST: 'not a url', REPORT_PAYLOAD: 'v3', MicrosoftAppId: 'bot', MicrosoftAppType: 'Legacy' });
    for (const name of ['PORT', 'GRAPH_BASE_URL', 'AZURE_AUTHORITY_HOST', 'REPORT_PAYLOAD', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'MicrosoftAppId', 'MicrosoftAppType', 'MicrosoftAppPassword']) {
      assert.ok(problems.some((p) => p.startsWith(name)), `${name} in ${problems.join(' | ')}`);
    }
  });

  it('requires a tenant for a single-tenant bot and accepts the Teams Toolkit names', () => {
    assert.ok(problemsOf({ ...base, BOT_ID: '66666666-7777-8888-9999-000000000001', BOT_PASSWORD: 'x', BOT_TYPE: 'SingleTenant' }).some((p) => p.startsWith('MicrosoftAppTenantId')));
    const config = loadConfig({ ...base, BOT_ID: '66666666-7777-8888-9999-000000000001', BOT_PASSWORD: 'x', TECHNICIAN_GROUP_ID: group });
    assert.equal(config.bot.appId, '66666666-7777-8888-9999-000000000001');
    assert.equal(config.bot.environment.MicrosoftAppId, '66666666-7777-8888-9999-000000000001');
    const both = loadConfig({ ...base, BOT_ID: '66666666-7777-8888-9999-000000000001', MicrosoftAppId: '66666666-7777-8888-9999-000000000002', MicrosoftAppPassword: 'x', TECHNICIAN_GROUP_ID: group });
    assert.equal(both.bot.environment.MicrosoftAppId, '66666666-7777-8888-9999-000000000002', 'the botbuilder name wins over the alias');
  });
});

describe('the Intune admin center and the watch for session links', () => {
  it('links to the commercial admin center and watches for three minutes by default', () => {
    assert.deepEqual(loadConfig(base).intune, { adminCenterUrl: 'https://intune.microsoft.com', sessionLinkWaitSec: 180 });
  });

  it("takes a sovereign cloud's admin center, a path kept and a trailing slash dropped, and 0 to watch nothing", () => {
    const config = loadConfig({ ...base, INTUNE_ADMIN_CENTER_URL: 'https://intune.microsoft.us/', SESSION_LINK_WAIT_SEC: '0' });
    assert.deepEqual(config.intune, { adminCenterUrl: 'https://intune.microsoft.us', sessionLinkWaitSec: 0 });
    assert.equal(loadConfig({ ...base, INTUNE_ADMIN_CENTER_URL: 'https://intune.microsoft.com/contoso.onmicrosoft.com' }).intune.adminCenterUrl, 'https://intune.microsoft.com/contoso.onmicrosoft.com');
  });

  it('names a bad admin center URL or wait', () => {
    for (const url of ['http://intune.microsoft.com', 'intune.microsoft.com', 'https://intune.microsoft.com/#view', 'https://intune.microsoft.com/?x=1']) {
      assert.ok(problemsOf({ ...base, INTUNE_ADMIN_CENTER_URL: url }).some((p) => p.startsWith('INTUNE_ADMIN_CENTER_URL')), url);
    }
    for (const wait of ['301', '-1', 'soon']) {
      assert.ok(problemsOf({ ...base, SESSION_LINK_WAIT_SEC: wait }).some((p) => p.startsWith('SESSION_LINK_WAIT_SEC')), wait);
    }
  });
});

describe('retention', () => {
  it('keeps sessions 400 days and closes abandoned ones after 24 hours by default; 0 turns either off', () => {
    assert.deepEqual(loadConfig(base).retention, { sessionDays: 400, abandonAfterHours: 24 });
    assert.deepEqual(loadConfig({ ...base, SESSION_RETENTION_DAYS: '0', ABANDON_AFTER_HOURS: '0' }).retention, { sessionDays: 0, abandonAfterHours: 0 });
    assert.deepEqual(loadConfig({ ...base, SESSION_RETENTION_DAYS: '731', ABANDON_AFTER_HOURS: '8' }).retention, { sessionDays: 731, abandonAfterHours: 8 });
  });

  it('names a bad retention or abandon time', () => {
    const problems = problemsOf({ ...base, SESSION_RETENTION_DAYS: '-1', ABANDON_AFTER_HOURS: 'a day' });
    assert.ok(problems.some((p) => p.startsWith('SESSION_RETENTION_DAYS must be a number of days')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('ABANDON_AFTER_HOURS must be a number of hours')), problems.join('\n'));
  });
});

describe('the Graph credential: exactly one of a secret, a certificate or a managed identity', () => {
  const { AZURE_CLIENT_SECRET: _secret, ...tenant } = base;
  const identityId = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff';
  let dir: string;
  let certificate: string;
  let encrypted: string;
  let mismatched: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-config-'));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const selfsigned = require('selfsigned') as typeof import('selfsigned');
    const [one, two] = await Promise.all([1, 2].map((n) => selfsigned.generate([{ name: 'commonName', value: `config test ${n}` }], { keySize: 2048 } as never)));
    certificate = path.join(dir, 'app.pem');
    writeFileSync(certificate, `${one.private}\n${one.cert}\n`);
    encrypted = path.join(dir, 'encrypted.pem');
    const key = createPrivateKey(one.private).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' });
    writeFileSync(encrypted, `${key}\n${one.cert}\n`);
    mismatched = path.join(dir, 'mismatched.pem');
    writeFileSync(mismatched, `${two.private}\n${one.cert}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the client secret, a certificate file or a managed identity', () => {
    assert.deepEqual(loadConfig(base).graph.credential, { kind: 'secret', secret: 's3cret' });
    assert.deepEqual(loadConfig({ ...tenant, AZURE_CLIENT_CERTIFICATE_PATH: certificate }).graph.credential, { kind: 'certificate', path: certificate, password: undefined });
    assert.deepEqual(loadConfig({ ...tenant, AZURE_CLIENT_CERTIFICATE_PATH: encrypted, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'open sesame' }).graph.credential, { kind: 'certificate', path: encrypted, password: 'open sesame' });
    const federated = loadConfig({ ...tenant, MANAGED_IDENTITY_CLIENT_ID: identityId });
    assert.deepEqual(federated.graph.credential, { kind: 'managedIdentity', clientId: identityId });
  });

  it('refuses none, or more than one, naming the variables', () => {
    assert.ok(problemsOf(tenant).some((p) => p.startsWith('AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or MANAGED_IDENTITY_CLIENT_ID is not set')));
    assert.ok(problemsOf({ ...base, MANAGED_IDENTITY_CLIENT_ID: identityId }).some((p) => p.startsWith('AZURE_CLIENT_SECRET and MANAGED_IDENTITY_CLIENT_ID are set')));
    const all = problemsOf({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: certificate, MANAGED_IDENTITY_CLIENT_ID: identityId });
    assert.ok(all.some((p) => p.startsWith('AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH and MANAGED_IDENTITY_CLIENT_ID are set: set exactly one')), all.join(' | '));
    assert.ok(!all.join(' ').includes('s3cret'), 'the secret is never echoed');
  });

  it('refuses a managed identity that is not a client id', () => {
    assert.ok(problemsOf({ ...tenant, MANAGED_IDENTITY_CLIENT_ID: 'my-identity' }).some((p) => p.startsWith('MANAGED_IDENTITY_CLIENT_ID must be the managed identity\'s client id, a GUID')));
  });

  it('reads the certificate file at start and says what is wrong with it', () => {
    const problem = (file: string, extra: Record<string, string> = {}) => problemsOf({ ...tenant, AZURE_CLIENT_CERTIFICATE_PATH: file, ...extra }).join(' | ');
    assert.match(problem(path.join(dir, 'absent.pem')), /^AZURE_CLIENT_CERTIFICATE_PATH cannot be read \(".*absent\.pem": ENOENT\)/);
    assert.match(problem(dir), /^AZURE_CLIENT_CERTIFICATE_PATH cannot be read \(.*EISDIR\)/);
    const keyOnly = path.join(dir, 'key-only.pem');
    writeFileSync(keyOnly, readFileSync(certificate, 'utf8').replace(/-----BEGIN CERTIFICATE-----[\s\S]*/, ''));
    assert.match(problem(keyOnly), /^AZURE_CLIENT_CERTIFICATE_PATH holds no PEM certificate/);
    const certOnly = path.join(dir, 'cert-only.pem');
    writeFileSync(certOnly, readFileSync(certificate, 'utf8').replace(/-----BEGIN PRIVATE KEY-----[\s\S]*-----END PRIVATE KEY-----/, ''));
    assert.match(problem(certOnly), /^AZURE_CLIENT_CERTIFICATE_PATH holds no private key/);
    assert.match(problem(mismatched), /^AZURE_CLIENT_CERTIFICATE_PATH holds a private key that is not the certificate's/);
    assert.match(problem(encrypted), /^AZURE_CLIENT_CERTIFICATE_PATH holds an encrypted or unreadable private key .*AZURE_CLIENT_CERTIFICATE_PASSWORD/);
    assert.match(problem(encrypted, { AZURE_CLIENT_CERTIFICATE_PASSWORD: 'wrong' }), /^AZURE_CLIENT_CERTIFICATE_PASSWORD does not open the private key/);
  });

  it('refuses a certificate password without a certificate, and with single sign-on (on-behalf-of takes none)', () => {
    assert.ok(problemsOf({ ...base, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'x' }).some((p) => p.startsWith('AZURE_CLIENT_CERTIFICATE_PASSWORD is set without AZURE_CLIENT_CERTIFICATE_PATH')));
    const sso = { SSO_APP_ID_URI: 'api://assistdesk.example/botid-1', SSO_CONNECTION_NAME: 'sso' };
    assert.ok(problemsOf({ ...tenant, ...sso, AZURE_CLIENT_CERTIFICATE_PATH: encrypted, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'open sesame' }).some((p) => p.startsWith('AZURE_CLIENT_CERTIFICATE_PASSWORD cannot be used with single sign-on')));
    assert.equal(loadConfig({ ...tenant, ...sso, AZURE_CLIENT_CERTIFICATE_PATH: certificate }).graph.credential.kind, 'certificate');
  });
});

describe('the bot as a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI)', () => {
  const bot = { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: '12345678-aaaa-4bbb-8ccc-1234567890ab', MicrosoftAppTenantId: base.AZURE_TENANT_ID, TECHNICIAN_GROUP_ID: group };

  it('needs no password: the identity\'s client id and its tenant', () => {
    const config = loadConfig({ ...base, ...bot });
    assert.equal(config.bot.managedIdentity, true);
    assert.equal(config.bot.appId, bot.MicrosoftAppId);
    assert.equal(loadConfig({ ...base, MicrosoftAppId: bot.MicrosoftAppId, MicrosoftAppPassword: 'x', TECHNICIAN_GROUP_ID: group }).bot.managedIdentity, false);
  });

  it('refuses a password, a missing tenant or a missing identity, by name', () => {
    assert.ok(problemsOf({ ...base, ...bot, MicrosoftAppPassword: 'x' }).some((p) => p.startsWith('MicrosoftAppPassword must not be set when MicrosoftAppType is UserAssignedMSI')));
    assert.ok(problemsOf({ ...base, ...bot, MicrosoftAppTenantId: '' }).some((p) => p.startsWith('MicrosoftAppTenantId is not set')));
    assert.ok(problemsOf({ ...base, ...bot, MicrosoftAppId: '' }).some((p) => p.startsWith('MicrosoftAppId is not set: with MicrosoftAppType UserAssignedMSI')));
  });
});

describe('telemetry destinations', () => {
  const graph = { AZURE_TENANT_ID: '7d1f4c2e-5b8a-4e19-9c3d-a1b2c3d4e5f6', AZURE_CLIENT_ID: '3f0c9a8e-1b2d-4c5e-8f70-9a1b2c3d4e5f', AZURE_CLIENT_SECRET: 's' };
  it('exports nowhere unless a destination is set, and to each one set', () => {
    assert.deepEqual(loadConfig(graph).telemetry, {});
    const both = loadConfig({
      ...graph,
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
    }).telemetry;
    assert.equal(both.otlp?.endpoint, 'http://otel-collector:4318');
    assert.match(both.applicationInsights?.connectionString ?? '', /^InstrumentationKey=/);
  });

  it('names a connection string without an instrumentation key, a plain-http ingestion endpoint elsewhere, and an endpoint that is no URL', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...graph, ...env });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    assert.match(problems({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x.in.applicationinsights.azure.com/' }).join(), /APPLICATIONINSIGHTS_CONNECTION_STRING must hold InstrumentationKey/);
    assert.match(problems({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://ingest.example.com/' }).join(), /IngestionEndpoint that is not an https/);
    assert.match(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).join(), /OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's OTLP\/HTTP base URL/);
  });
});
