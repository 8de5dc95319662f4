// Self-test of the loopback emulators: the real SDKs the bot uses (@azure/identity, the Graph client,
// botframework-connector) must work against them unchanged, over real HTTP(S).
// Run: node --test --import tsx test/emulators.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { makeLoopbackTls, type LoopbackTls } from './emulators/tls';
import { EntraEmulator } from './emulators/entra';
import { GraphEmulator } from './emulators/graph';
import { ConnectorEmulator } from './emulators/connector';
import { demoSeed } from './emulators/seed';
import { FAULTED } from './emulators/faults';
import { waitFor } from './support/wait';
import type { ProbeResult, ProbeStep } from './emulators/sdkProbe';

const CLIENT_ID = '11111111-aaaa-4bbb-8ccc-000000000001';
const SECRET = 'emulator-secret';
const device = (name: string) => demoSeed.devices.find((d) => d.deviceName === name)!;

const report = {
  id: 'session-0001', startDateTime: '2026-11-20T09:00:00-03:00', endDateTime: '2026-11-20T09:20:00-03:00',
  remoteAssistanceSessionType: 'fullControl',
  helperEmail: 'alex.tech@contoso.example', helperTenantId: demoSeed.tenantId, helperFirstName: 'Alex', helperLastName: 'Tech',
  helperOs: 'Windows', helperDeviceAadId: device('ALEX-WS01').azureADDeviceId, helperDeviceName: 'ALEX-WS01', helperEnrollmentState: 'enrolled',
  sharerEmail: 'maria.silva@contoso.example', sharerTenantId: demoSeed.tenantId, sharerFirstName: 'Maria', sharerLastName: 'Silva',
  sharerDeviceAadId: device('LAPTOP-42').azureADDeviceId, sharerDeviceName: 'LAPTOP-42', sharerOs: 'Windows', sharerEnrollmentState: 'enrolled',
};

describe('loopback emulators', () => {
  let dir: string;
  let tls: LoopbackTls;
  let entra: EntraEmulator;
  let graph: GraphEmulator;
  let connector: ConnectorEmulator;
  let probe: { token: string; results: Record<string, ProbeResult> };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'assistdesk-emu-'));
    tls = makeLoopbackTls(dir);
    entra = new EntraEmulator({ tls, tenantId: demoSeed.tenantId, clients: { [CLIENT_ID]: SECRET } });
    graph = new GraphEmulator({ tls, entra, seed: demoSeed, pageSize: 4 });
    connector = new ConnectorEmulator();
    await Promise.all([entra.start(), graph.start(), connector.start()]);
    graph.fault({ method: 'GET', path: `/managedDevices/${device('DESK 7').id}`, status: 429, retryAfterSec: 0, times: 1 });
    graph.fault({ method: 'GET', path: `/managedDevices/${device('LOBBY-TABLET').id}`, status: 429, retryAfterSec: 7, times: 1 });
    probe = await runProbe([
      { name: 'quote', method: 'get', path: '/deviceManagement/managedDevices', filter: "deviceName eq 'o''brien-pc'", select: ['id', 'deviceName'] },
      { name: 'pages', method: 'get', path: '/deviceManagement/managedDevices', select: ['id'], allPages: true },
      { name: 'assist', method: 'post', path: `/deviceManagement/managedDevices/${device('LAPTOP-42').id}/requestRemoteAssistance` },
      { name: 'sessionUrl', method: 'get', path: `/deviceManagement/managedDevices/${device('LAPTOP-42').id}`, select: ['remoteAssistanceSessionUrl'] },
      { name: 'report', method: 'post', version: 'beta', path: '/deviceManagement/reportRemoteAssistance', body: { reportingPayload: report } },
      { name: 'reportExtra', method: 'post', version: 'beta', path: '/deviceManagement/reportRemoteAssistance', body: { reportingPayload: { ...report, deviceId: 'x' } } },
      { name: 'retried429', method: 'get', path: `/deviceManagement/managedDevices/${device('DESK 7').id}`, select: ['deviceName'] },
      { name: 'raw429', method: 'get', path: `/deviceManagement/managedDevices/${device('LOBBY-TABLET').id}`, noRetry: true },
      { name: 'anonymous', method: 'get', path: '/deviceManagement/managedDevices', anonymous: true },
    ]);
  });

  after(async () => {
    await Promise.all([entra?.stop(), graph?.stop(), connector?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('ClientSecretCredential gets a Graph app token after reading the OpenID configuration', () => {
    const claims = entra.verifyAccessToken(probe.token);
    assert.ok(claims, 'token verifies against the emulator key');
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.equal(claims.appid, CLIENT_ID);
    assert.ok((claims.roles as string[]).includes('DeviceManagementManagedDevices.ReadWrite.All'));
    const seen = entra.requests.map((r) => `${r.method} ${r.url.pathname}`);
    assert.deepEqual(seen.slice(0, 2), [`GET /${demoSeed.tenantId}/v2.0/.well-known/openid-configuration`, `POST /${demoSeed.tenantId}/oauth2/v2.0/token`]);
    assert.equal(new URLSearchParams(entra.requests[1].body).get('grant_type'), 'client_credentials');
  });

  test("a $filter literal with a doubled quote finds O'Brien-PC (case-insensitively)", () => {
    const r = probe.results.quote;
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual((r.value as { value: unknown[] }).value, [{ id: device("O'Brien-PC").id, deviceName: "O'Brien-PC" }]);
  });

  test('paging returns absolute nextLinks the Graph client follows', () => {
    const v = probe.results.pages.value as { items: { id: string }[]; links: string[] };
    assert.equal(v.items.length, demoSeed.devices.length);
    assert.ok(v.links.length >= 2 && v.links.every((l) => l.startsWith(`${graph.baseUrl}/v1.0/deviceManagement/managedDevices?`)));
  });

  test('requestRemoteAssistance answers 204, and the session URL then shows on a $select GET', () => {
    assert.equal(probe.results.assist.ok, true, JSON.stringify(probe.results.assist.error));
    assert.deepEqual(graph.assistanceRequests, [device('LAPTOP-42').id]);
    const url = (probe.results.sessionUrl.value as { remoteAssistanceSessionUrl: string }).remoteAssistanceSessionUrl;
    assert.match(url, /^https:\/\/remoteassistance\.example\.invalid\/session\//);
  });

  test('a valid 20-property report is accepted; an extra property gets 400 in Graph error shape', () => {
    assert.equal(probe.results.report.ok, true, JSON.stringify(probe.results.report.error));
    assert.deepEqual(graph.reports, [report]);
    const e = probe.results.reportExtra.error!;
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'BadRequest');
    assert.match(e.message, /The property 'deviceId' does not exist on type 'microsoft\.graph\.remoteAssistanceReporting'/);
    assert.ok(e.requestId && e.headers['request-id'] === e.requestId);
    assert.equal((e.body as { innerError: Record<string, string> }).innerError['client-request-id'], e.headers['client-request-id']);
  });

  test('a 429 fault carries Retry-After and the TooManyRequests body; the client retries it by default', () => {
    const e = probe.results.raw429.error!;
    assert.equal(e.statusCode, 429);
    assert.equal(e.code, 'TooManyRequests');
    assert.equal(e.headers['retry-after'], '7');
    assert.equal(probe.results.retried429.ok, true, 'Graph client RetryHandler retried the 429 on its own');
    const attempts = graph.requests.filter((r) => r.url.pathname.endsWith(device('DESK 7').id));
    assert.deepEqual(attempts.map((r) => [r.faulted, r.headers['retry-attempt']]), [[429, undefined], [undefined, '1']]);
  });

  test('requests without a bearer token get 401 InvalidAuthenticationToken', () => {
    const e = probe.results.anonymous.error!;
    assert.equal(e.statusCode, 401);
    assert.equal((e.body as { error: { code: string } }).error.code, 'InvalidAuthenticationToken');
  });

  test('on-behalf-of exchanges a user assertion, and refuses revoked or expired ones', async () => {
    const tokenUrl = `${entra.authorityHost}/${demoSeed.tenantId}/oauth2/v2.0/token`;
    const obo = (assertion: string) => postForm(tokenUrl, tls.cert, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requested_token_use: 'on_behalf_of', assertion,
      client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default offline_access',
    });
    const oid = demoSeed.users[0].id;
    const ok = await obo(entra.issueUserToken({ oid, aud: CLIENT_ID, upn: 'alex.tech@contoso.example' }));
    assert.equal(ok.status, 200);
    const claims = jwt.decode(ok.json.access_token) as Record<string, string>;
    assert.equal(claims.oid, oid);
    assert.match(claims.scp, /DeviceManagementManagedDevices\.ReadWrite\.All/);
    const expired = await obo(entra.issueUserToken({ oid, aud: CLIENT_ID, expiresInSec: -60 }));
    assert.deepEqual([expired.status, expired.json.error, expired.json.error_codes], [400, 'invalid_grant', [500133]]);
    entra.revokeUser(oid);
    const revoked = await obo(entra.issueUserToken({ oid, aud: CLIENT_ID }));
    assert.deepEqual([revoked.status, revoked.json.error, revoked.json.error_codes], [400, 'invalid_grant', [50173]]);
    const badSecret = await postForm(tokenUrl, tls.cert, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'nope', scope: 'https://graph.microsoft.com/.default' });
    assert.deepEqual([badSecret.status, badSecret.json.error, badSecret.json.error_codes], [401, 'invalid_client', [7000215]]);
  });

  test('Graph validates queries and report payloads the way OData does', async () => {
    const tok = await postForm(`${entra.authorityHost}/${demoSeed.tenantId}/oauth2/v2.0/token`, tls.cert, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' });
    const call = (method: string, path: string, body?: unknown) => request(`${graph.baseUrl}${path}`, tls.cert, method, tok.json.access_token, body);
    const devices = (filter: string) => `/v1.0/deviceManagement/managedDevices?$select=deviceName&$filter=${encodeURIComponent(filter)}`;
    const names = async (filter: string) => ((await call('GET', devices(filter))).json.value as { deviceName: string }[]).map((d) => d.deviceName);
    assert.deepEqual(await names("deviceName eq 'desk 7'"), ['DESK 7']);
    assert.deepEqual(await names("deviceName eq 'Ноутбук-5'"), ['Ноутбук-5']);
    assert.deepEqual(await names("contains(deviceName,'kiosk')"), ['KIOSK-01', 'KIOSK-01']);
    const users = (filter: string) => `/v1.0/users?$select=displayName&$filter=${encodeURIComponent(filter)}`;
    const people = async (filter: string) => ((await call('GET', users(filter))).json.value as { displayName: string }[]).map((u) => u.displayName);
    assert.deepEqual(await people("startswith(displayName,'mar') or startswith(surname,'cos')"), ['Maria Silva', 'Mariana Costa']);
    assert.deepEqual(await people("startswith(surname,'sil')"), ['Maria Silva']);
    assert.deepEqual(await people("userPrincipalName eq 'PAT.OBRIEN@contoso.example' or mail eq 'PAT.OBRIEN@contoso.example'"), ["Pat O'Brien"]);
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['GET', devices("deviceName eq 'abc"), undefined, 400, /unterminated string literal/],
      ['GET', devices("deviceName ne 'abc'"), undefined, 400, /Invalid filter clause/],
      ['GET', devices("startswith(deviceName,'abc')"), undefined, 400, /Unsupported .* property 'deviceName' of resource 'managedDevice'/],
      ['GET', users("contains(displayName,'mar')"), undefined, 400, /Unsupported .* property 'displayName' of resource 'User'/],
      ['GET', '/v1.0/deviceManagement/managedDevices?$select=foo', undefined, 400, /Could not find a property named 'foo'/],
      ['GET', '/v1.0/deviceManagement/managedDevices/nope', undefined, 404, /ResourceNotFound/],
      ['GET', '/v1.0/users/nobody@contoso.example', undefined, 404, /Request_ResourceNotFound/],
      ['POST', `/v1.0/deviceManagement/managedDevices/${device('DESK 7').id}/requestRemoteAssistance`, { reason: 'x' }, 400, /'reason' .* not a valid parameter/],
      ['POST', '/v1.0/deviceManagement/reportRemoteAssistance', { reportingPayload: report }, 400, /Resource not found for the segment 'reportRemoteAssistance'/],
      ['POST', '/beta/deviceManagement/reportRemoteAssistance', { reportingPayload: { ...report, startDateTime: '2026-11-20T09:00:00' } }, 400, /Edm\.DateTimeOffset/],
      ['POST', '/beta/deviceManagement/reportRemoteAssistance', { reportingPayload: { ...report, sharerEnrollmentState: 'Enrolled' } }, 400, /Requested value 'Enrolled' was not found/],
      ['POST', '/beta/deviceManagement/reportRemoteAssistance', { reportingPayload: { ...report, '@odata.type': '#microsoft.graph.remoteAssistanceReporting', helperEmail: null } }, 204, /^$/],
    ];
    for (const [method, path, body, status, pattern] of cases) {
      const res = await call(method, path, body);
      assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
      assert.match(res.text, pattern, `${method} ${path}`);
    }
    const chaos = async () => {
      graph.reset();
      graph.failRate('managedDevices', 0.5, [500, 503], 7);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call('GET', '/v1.0/deviceManagement/managedDevices?$top=1')).status);
      return statuses;
    };
    const first = await chaos();
    const again = await chaos();
    assert.deepEqual(again, first, 'failRate is reproducible for a given seed');
    assert.ok(first.some((s) => s !== 200) && first.some((s) => s === 200), first.join(','));
    graph.reset();
  });

  test('a lost answer and a hang still record the report: Graph acted, only its answer is lost or late', async () => {
    graph.reset();
    const tok = await postForm(`${entra.authorityHost}/${demoSeed.tenantId}/oauth2/v2.0/token`, tls.cert, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' });
    const url = `${graph.baseUrl}/beta/deviceManagement/reportRemoteAssistance`;
    const send = (id: string) => request(url, tls.cert, 'POST', tok.json.access_token, { reportingPayload: { ...report, id } });
    const ids = () => graph.reports.map((r) => (r as { id: string }).id);

    graph.fault({ method: 'POST', path: 'reportRemoteAssistance', afterServing: 'reset' });
    await assert.rejects(send('session-lost'), { code: 'ECONNRESET' });
    assert.deepEqual(ids(), ['session-lost']);
    assert.equal(graph.requests[0].faulted, FAULTED.answerLost);

    // The rate takes whole faults besides statuses; at rate 1 every call hangs.
    graph.failRate('reportRemoteAssistance', 1, [{ hangMs: 300 }]);
    const t0 = Date.now();
    const late = await send('session-late');
    assert.ok(Date.now() - t0 >= 300, `answered after ${Date.now() - t0} ms`);
    assert.equal(late.status, 204);
    assert.deepEqual(ids(), ['session-lost', 'session-late']);
    assert.equal(graph.requests[1].faulted, FAULTED.hang);

    // A client that gives up during the hang gets nothing, but the report is recorded when the hang ends.
    const body = JSON.stringify({ reportingPayload: { ...report, id: 'session-gone' } });
    const gone = https.request(url, { method: 'POST', ca: tls.cert, headers: { authorization: `Bearer ${tok.json.access_token}`, 'content-type': 'application/json' } });
    gone.on('error', () => undefined);
    gone.end(body);
    await waitFor(() => graph.requests.length === 3, 5000, 'the third call');
    gone.destroy();
    assert.deepEqual(ids(), ['session-lost', 'session-late']);
    await graph.idle();
    assert.deepEqual(ids(), ['session-lost', 'session-late', 'session-gone']);
    graph.reset();
  });

  test("Intune's write limit: past it a write gets 429 with Retry-After; reads and directory calls are not counted", async () => {
    graph.reset();
    graph.limitWrites({ writes: 2, windowMs: 20_000 });
    try {
      const tok = await postForm(`${entra.authorityHost}/${demoSeed.tenantId}/oauth2/v2.0/token`, tls.cert, { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' });
      const call = (method: string, path: string, token = tok.json.access_token as string) => request(`${graph.baseUrl}${path}`, tls.cert, method, token);
      const assist = `/v1.0/deviceManagement/managedDevices/${device('LAPTOP-42').id}/requestRemoteAssistance`;
      assert.equal((await call('POST', assist)).status, 204);
      assert.equal((await call('GET', '/v1.0/deviceManagement/managedDevices?$top=1')).status, 200, 'a read is not a write');
      assert.equal((await call('POST', `/v1.0/users/${demoSeed.users[0].id}/checkMemberGroups`)).status, 400, 'a directory POST is not an Intune write');
      assert.equal((await call('POST', assist)).status, 204);
      const refused = await new Promise<{ status: number; retryAfter: string; text: string }>((resolve, reject) => {
        https.request(`${graph.baseUrl}${assist}`, { method: 'POST', ca: tls.cert, headers: { authorization: `Bearer ${tok.json.access_token}` } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: String(res.headers['retry-after']), text }));
        }).on('error', reject).end();
      });
      assert.equal(refused.status, 429);
      assert.equal(JSON.parse(refused.text).error.code, 'TooManyRequests');
      assert.ok(Number(refused.retryAfter) >= 1 && Number(refused.retryAfter) <= 20, `Retry-After ${refused.retryAfter}`);
      assert.deepEqual(graph.assistanceRequests, [device('LAPTOP-42').id, device('LAPTOP-42').id], 'a refused write does nothing');
      assert.deepEqual(graph.requests.map((r) => r.faulted), [undefined, undefined, undefined, undefined, 429]);
      graph.reset();
      assert.equal((await call('POST', assist)).status, 204, 'reset() forgets the writes counted');
    } finally {
      graph.limitWrites(undefined);
      graph.reset();
    }
  });

  test('the connector records sends, replies and updates to Teams-style conversation ids', async () => {
    const client = new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri: connector.serviceUrl });
    const conv = '19:abc123@thread.tacv2;messageid=1700000000000';
    const sent = await client.conversations.sendToConversation(conv, { type: 'message', text: 'hello' } as never);
    await client.conversations.replyToActivity(conv, sent.id, { type: 'message', text: 'a reply' } as never);
    await client.conversations.updateActivity(conv, sent.id, { type: 'message', text: 'edited' } as never);
    const update = await connector.waitFor((r) => r.kind === 'update', 1000);
    assert.deepEqual([update.conversationId, update.activityId, update.body.text], [conv, sent.id, 'edited']);
    assert.deepEqual(connector.activities.map((a) => a.kind), ['send', 'reply', 'update']);
    assert.equal(connector.activities[1].replyToId, sent.id);
    await assert.rejects(connector.waitFor((r) => r.body?.text === 'never', 50), /no matching activity within 50 ms\. Received 3/);
    // botframework-connector's pipeline retries a 429 on its own after Retry-After.
    connector.fault({ status: 429, retryAfterSec: 0 });
    await client.conversations.sendToConversation(conv, { type: 'message', text: 'after 429' } as never);
    const last = connector.requests.slice(-2);
    assert.deepEqual(last.map((r) => [r.method, r.faulted]), [['POST', 429], ['POST', undefined]]);
    assert.equal(connector.activities.at(-1)?.body.text, 'after 429');
  });

  /** Runs sdkProbe.ts in a child process that trusts the loopback CA, as the bot process will. */
  function runProbe(steps: ProbeStep[]): Promise<{ token: string; results: Record<string, ProbeResult> }> {
    const config = { authorityHost: entra.authorityHost, tenantId: demoSeed.tenantId, clientId: CLIENT_ID, clientSecret: SECRET, graphBaseUrl: graph.baseUrl, steps };
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', join(__dirname, 'emulators', 'sdkProbe.ts')],
        { env: { ...process.env, PROBE: JSON.stringify(config), NODE_EXTRA_CA_CERTS: tls.certPath }, timeout: 20000 },
        (err, stdout, stderr) => {
          try {
            const out = JSON.parse(stdout) as { token: string; results: ProbeResult[]; fatal?: string };
            if (out.fatal) throw new Error(out.fatal);
            resolve({ token: out.token, results: Object.fromEntries(out.results.map((r) => [r.name, r])) });
          } catch (e) {
            reject(new Error(`probe failed: ${String(err ?? e)}\n${stderr}\n${stdout}`));
          }
        });
    });
  }
});

/** One HTTPS call to an emulator with a bearer token, trusting the loopback certificate. */
function request(url: string, ca: string, method: string, token: string, body?: unknown): Promise<{ status: number; text: string; json: Record<string, any> }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers = { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json' } : {}) };
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, json: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** POSTs a form over HTTPS trusting the loopback certificate; resolves with status and JSON body. */
function postForm(url: string, ca: string, form: Record<string, string>): Promise<{ status: number; json: Record<string, any> }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
