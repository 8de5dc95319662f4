import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

const base = { AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_ID: '66666666-7777-8888-9999-000000000000', AZURE_CLIENT_SECRET: 's3cret' };
const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
};

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
    const config = loadConfig({ ...base, BOT_ID: '66666666-7777-8888-9999-000000000001', BOT_PASSWORD: 'x' });
    assert.equal(config.bot.appId, '66666666-7777-8888-9999-000000000001');
    assert.equal(config.bot.environment.MicrosoftAppId, '66666666-7777-8888-9999-000000000001');
    const both = loadConfig({ ...base, BOT_ID: '66666666-7777-8888-9999-000000000001', MicrosoftAppId: '66666666-7777-8888-9999-000000000002', MicrosoftAppPassword: 'x' });
    assert.equal(both.bot.environment.MicrosoftAppId, '66666666-7777-8888-9999-000000000002', 'the botbuilder name wins over the alias');
  });
});
