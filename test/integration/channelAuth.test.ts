// Incoming traffic: with MicrosoftAppId set, every activity's JWT is checked against the Bot Framework
// channel's OpenID keys (here a loopback ChannelIssuer) and anything that does not authenticate is a 401
// with nothing processed: no Graph call, no reply. Replies carry the bot's own Bot Connector token, which
// the Connector emulator checks. The bot is configured only by botbuilder's environment keys.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { CHANNEL_ATTACKS, ChannelIssuer } from '../emulators/channelIssuer';
import { ConnectorEmulator } from '../emulators/connector';
import { EntraEmulator } from '../emulators/entra';
import { makeLoopbackTlsAsync } from '../emulators/tls';
import { recordAttack } from '../support/attackLog';
import { ROOT, startBot } from '../support/botProcess';
import { baseActivity, post, type TeamsChat } from '../support/teams';
import { CLIENT_ID, CLIENT_SECRET, startWorld, type World } from '../support/world';

/** The bot's registration: another app than the one that calls Graph (CLIENT_ID). */
const BOT_APP_ID = '5b0e7c1d-2a3f-4e5d-8c9b-0a1b2c3d4e5f';
const BOT_SECRET = 'bot-registration-secret-value-456';
const BOT_TENANT_ID = 'c0ffee00-1234-4abc-9def-0123456789ab';
/** The Bot Connector's resource: the audience of the bot's outgoing token. */
const BOT_CONNECTOR = 'https://api.botframework.com';
const EXPECTED_REFUSAL = '401, nothing processed';
const OFFLINE_DISCOVERY = path.join(ROOT, 'test/support/offlineInstanceDiscovery.cjs');

let world: World;
let dir: string;
let issuer: ChannelIssuer;
/** Entra as the Bot Framework's login: tenant botframework.com (MultiTenant) or the bot's tenant (SingleTenant). */
let botLogin: EntraEmulator;
/** The channel's Bot Connector for these tests; only the bot's own Bot Connector token gets through. */
let connector: ConnectorEmulator;
let caBundle: string;

before(async () => {
  // The world's bot runs without MicrosoftAppId; each describe below restarts it with a bot registration.
  world = await startWorld();
  dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-channel-'));
  const tls = await makeLoopbackTlsAsync(dir, 'AssistDesk Bot Framework emulators');
  // The bot must trust both certificates: the world's (Entra, Graph) and this file's emulators'.
  caBundle = path.join(dir, 'ca-bundle.pem');
  writeFileSync(caBundle, `${readFileSync(world.env.NODE_EXTRA_CA_CERTS, 'utf8').trim()}\n${tls.cert.trim()}\n`);
  issuer = new ChannelIssuer({ tls });
  botLogin = new EntraEmulator({ tls, tenantId: BOT_TENANT_ID, extraTenants: ['botframework.com'], clients: { [BOT_APP_ID]: BOT_SECRET } });
  connector = new ConnectorEmulator({ expectBearer: (token) => isBotConnectorToken(token) });
  await Promise.all([issuer.start(), botLogin.start(), connector.start()]);
});

after(async () => {
  await world?.stop();
  await Promise.all([issuer?.stop(), botLogin?.stop(), connector?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A token the bot got from its login for the Bot Connector: signed there, aud = the connector, appid = the bot. */
function isBotConnectorToken(token: string): boolean {
  const claims = botLogin.verifyAccessToken(token, BOT_CONNECTOR);
  return claims?.appid === BOT_APP_ID;
}

/** botbuilder's keys, exactly as read by ConfigurationBotFrameworkAuthentication (the whole env is passed). */
function channelAuthEnv(appType: 'MultiTenant' | 'SingleTenant'): Record<string, string> {
  return {
    MicrosoftAppId: BOT_APP_ID,
    MicrosoftAppPassword: BOT_SECRET,
    // Production refuses to start without a technicians' group unless opted out on purpose.
    ALLOW_ANY_USER_AS_TECHNICIAN: 'true',
    MicrosoftAppType: appType,
    MicrosoftAppTenantId: BOT_TENANT_ID,
    // Incoming: the channel's OpenID metadata (keys) and the issuer its tokens carry.
    ToBotFromChannelOpenIdMetadataUrl: issuer.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: issuer.issuer,
    // Entra-issued (Emulator-style) tokens are checked against these keys: the Graph tenant's Entra here.
    ToBotFromEmulatorOpenIdMetadataUrl: `${world.entra.authorityHost}/${world.seed.tenantId}/v2.0/.well-known/openid-configuration`,
    // Outgoing: the bot's own token for the Bot Connector. A custom login URL is used verbatim (botbuilder
    // appends no tenant), so SingleTenant names the bot's tenant and MultiTenant botframework.com.
    ToChannelFromBotLoginUrl: `${botLogin.authorityHost}/${appType === 'SingleTenant' ? BOT_TENANT_ID : 'botframework.com'}`,
    ToChannelFromBotOAuthScope: BOT_CONNECTOR,
    // Setting any To* key makes botbuilder use only the keys given: these two keep their public-cloud values.
    OAuthUrl: 'https://api.botframework.com',
    CallerId: 'urn:botframework:azure',
    NODE_EXTRA_CA_CERTS: caBundle,
    // Test-only: MSAL's instance discovery for the loopback login goes to the Entra emulator (see the file).
    NODE_OPTIONS: `--require ${OFFLINE_DISCOVERY}`,
    ASSISTDESK_TEST_INSTANCE_DISCOVERY_ORIGIN: botLogin.authorityHost,
  };
}

async function restartBot(env: Record<string, string>): Promise<void> {
  await world.bot.stop();
  world.bot = await startBot({ ...world.env, ...env });
}

/** A personal-chat message as Teams sends it, addressed to this file's bot and connector. */
function message(chat: TeamsChat, text: string, serviceUrl = chat.serviceUrl): Record<string, unknown> {
  return { ...baseActivity(chat, 'message'), serviceUrl, recipient: { id: `28:${BOT_APP_ID}`, name: 'AssistDesk' }, text, textFormat: 'plain' };
}

interface Outcome { status: number; graphCalls: number; connectorRequests: number; activityId: string; observed: string }

/** Posts a device request; counts what it caused: Graph requests and requests to either connector. */
async function send(headers: Record<string, string>, options: { serviceUrl?: string; chat?: TeamsChat } = {}): Promise<Outcome> {
  const chat = options.chat ?? world.chat({ serviceUrl: connector.serviceUrl });
  const graphBefore = world.graph.requests.length;
  const connectorBefore = connector.requests.length + world.connector.requests.length;
  const activity = message(chat, 'help me with device LAPTOP-42', options.serviceUrl);
  const { status } = await post(chat.botUrl, activity, headers);
  // A message turn finishes before the answer; the pause catches anything still running behind it.
  await new Promise((r) => setTimeout(r, 150));
  const graphCalls = world.graph.requests.length - graphBefore;
  const connectorRequests = connector.requests.length + world.connector.requests.length - connectorBefore;
  const observed = `${status}, ${graphCalls || connectorRequests ? 'processed' : 'nothing processed'}`;
  return { status, graphCalls, connectorRequests, activityId: String(activity.id), observed };
}

/** One attack: posts it, records the row for the table printed at the end of `npm test`, and checks it. */
async function attack(name: string, headers: Record<string, string>, options: { serviceUrl?: string } = {}): Promise<Outcome> {
  const outcome = await send(headers, options);
  recordAttack({ attack: name, expected: EXPECTED_REFUSAL, observed: outcome.observed });
  assert.equal(outcome.observed, EXPECTED_REFUSAL, `${name}: ${JSON.stringify(outcome)}`);
  return outcome;
}

const goodToken = (serviceUrl = connector.serviceUrl) => ({ appId: BOT_APP_ID, serviceUrl });

/** A genuine Entra app token of the Graph app (CLIENT_ID) for `resource`, from the Graph tenant's Entra. */
async function entraTokenOfAnotherApp(resource: string): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: `${resource}/.default` }).toString();
  // This process does not trust the emulators' certificate by default: name it for this one request.
  const text = await new Promise<string>((resolve, reject) => {
    const request = https.request(`${world.entra.authorityHost}/${world.seed.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', ca: readFileSync(caBundle), headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      let data = '';
      response.on('data', (chunk) => (data += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(data) : reject(new Error(`Entra answered ${response.statusCode}: ${data}`))));
    });
    request.on('error', reject);
    request.end(body);
  });
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/** Checks that a valid token was served: 200, a Graph device lookup, a reply with the bot's Bot Connector token. */
async function assertServed(outcome: Outcome, loginTenant: string): Promise<void> {
  assert.equal(outcome.status, 200, world.bot.output().split('\n').filter((l) => /refused/.test(l)).join('\n'));
  assert.ok(world.graph.requests.some((r) => /\/deviceManagement\/managedDevices$/i.test(r.url.pathname) && /deviceName eq 'LAPTOP-42'/.test(r.url.searchParams.get('$filter') ?? '')), 'a Graph device lookup');
  const reply = await connector.waitFor((a) => a.body?.replyToId === outcome.activityId);
  assert.equal(reply.kind, 'reply');
  const sent = connector.requests.filter((r) => r.method === 'POST' && r.url.pathname.includes('/activities/'));
  assert.ok(sent.length > 0);
  for (const request of sent) {
    const token = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    assert.ok(token && isBotConnectorToken(token), 'each reply carries the bot\'s Bot Connector token');
  }
  assert.ok(botLogin.requests.some((r) => r.method === 'POST' && r.url.pathname === `/${loginTenant}/oauth2/v2.0/token`), `the token came from /${loginTenant}`);
}

describe('without MicrosoftAppId (local testing), as before', () => {
  it('serves unauthenticated traffic and replies without a token', async () => {
    const chat = world.chat();
    for (const headers of [{}, { authorization: 'Bearer this-is-not-a-jwt' }] as Array<Record<string, string>>) {
      const before = world.connector.requests.length;
      const { status, activityId } = await send(headers, { chat });
      assert.equal(status, 200);
      await world.connector.waitFor((a) => a.body?.replyToId === activityId);
      const replies = world.connector.requests.slice(before).filter((r) => r.method === 'POST');
      assert.ok(replies.length > 0 && replies.every((r) => r.headers.authorization === undefined), 'no Authorization on replies');
    }
    assert.ok(!world.bot.output().includes('refused an activity'));
  });
});

describe('MultiTenant: every activity\'s channel token is verified', () => {
  before(() => restartBot(channelAuthEnv('MultiTenant')));

  it('serves a valid channel token: 200, Graph lookup, a reply carrying the bot\'s own token', async () => {
    const outcome = await send({ authorization: issuer.authorization(goodToken()) });
    await assertServed(outcome, 'botframework.com');
    // The bot read the channel's metadata and keys, as from login.botframework.com.
    assert.deepEqual([...new Set(issuer.requests.map((r) => r.url.pathname))], ['/v1/.well-known/openidconfiguration', '/v1/.well-known/keys']);
  });

  for (const kind of CHANNEL_ATTACKS) {
    it(`refuses a channel token: ${kind}`, async () => {
      await attack(`channel token: ${kind}`, issuer.attackHeaders(kind, goodToken()));
    });
  }

  it('refuses a channel token for another bot (aud = another app id)', async () => {
    await attack('channel token for another bot\'s app id', { authorization: issuer.authorization({ appId: randomUUID(), serviceUrl: connector.serviceUrl }) });
  });

  it('refuses a valid token replayed with another serviceUrl on the activity', async () => {
    // The token names this connector; the activity asks the bot to answer an attacker's endpoint instead.
    const attacker = world.connector;
    const before = attacker.requests.length;
    await attack('valid channel token, activity serviceUrl ≠ its serviceurl claim', { authorization: issuer.authorization(goodToken()) }, { serviceUrl: attacker.serviceUrl });
    assert.equal(attacker.requests.length, before, 'nothing sent to the attacker\'s serviceUrl');
  });

  it('refuses genuine Entra tokens of another app, bot-to-bot (skill) style and Emulator style', async () => {
    // aud = this bot, appid = another app: botbuilder takes it for a skill's call.
    await attack('Entra app token of another app, aud = the bot (skill-style)', { authorization: `Bearer ${await entraTokenOfAnotherApp(BOT_APP_ID)}` });
    // aud = appid = another app: botbuilder takes it for the Bot Framework Emulator's (checked against the Entra keys).
    await attack('Entra app token of another app, aud = itself (Emulator-style)', { authorization: `Bearer ${await entraTokenOfAnotherApp(CLIENT_ID)}` });
  });

  it('still serves valid tokens after the attacks, and never logs a token', async () => {
    await assertServed(await send({ authorization: issuer.authorization(goodToken()) }), 'botframework.com');
    const output = world.bot.output();
    assert.ok(!output.includes('eyJ'), 'a JWT (or its header) in the bot\'s output');
    assert.ok(!output.includes(BOT_SECRET), 'the bot secret in the bot\'s output');
    const refusals = world.bot.logs().filter((l) => l.msg === 'refused an activity: its token did not authenticate');
    assert.ok(refusals.length >= CHANNEL_ATTACKS.length, `a warning per refusal (${refusals.length})`);
    assert.ok(refusals.every((l) => typeof l.reason === 'string' && l.reason.length > 0));
  });
});

describe('SingleTenant: the same checks; the bot\'s token comes from its own tenant', () => {
  before(() => restartBot(channelAuthEnv('SingleTenant')));

  it('serves a valid channel token, replying with a token from the bot\'s tenant', async () => {
    await assertServed(await send({ authorization: issuer.authorization(goodToken()) }), BOT_TENANT_ID);
  });

  for (const kind of ['right kid, wrong key', 'alg none', 'wrong audience', 'wrong serviceurl claim'] as const) {
    it(`refuses a channel token: ${kind}`, async () => {
      await attack(`SingleTenant, channel token: ${kind}`, issuer.attackHeaders(kind, goodToken()));
    });
  }

  it('accepts no other issuer: a channel-signed token with the bot tenant\'s Entra issuer is refused', async () => {
    // SingleTenant changes where the bot gets its own token, not which issuer incoming channel tokens carry.
    const forged = issuer.issueChannelToken({ ...goodToken(), claims: { iss: `https://sts.windows.net/${BOT_TENANT_ID}/`, tid: BOT_TENANT_ID, ver: '1.0', appid: BOT_APP_ID } });
    assert.equal((jwt.decode(forged) as Record<string, unknown>).iss, `https://sts.windows.net/${BOT_TENANT_ID}/`);
    await attack('SingleTenant, channel-signed token with the tenant\'s Entra issuer', { authorization: `Bearer ${forged}` });
    assert.ok(!world.bot.output().includes('eyJ'));
  });
});
