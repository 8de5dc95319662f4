import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
