// Identities without secrets: Graph signed in to with a certificate or with a managed identity's federated
// credential (Entra checks the client assertion), on-behalf-of single sign-on with each, and the bot's own Bot
// Connector tokens from its user-assigned managed identity (MicrosoftAppType=UserAssignedMSI). The bot is a
// child process; Entra, the managed identity endpoint (App Service protocol), Graph and the Bot Connector
// are loopback emulators.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { ChannelIssuer } from '../emulators/channelIssuer';
import { ConnectorEmulator } from '../emulators/connector';
import { JWT_BEARER_ASSERTION, TOKEN_EXCHANGE_AUDIENCE } from '../emulators/entra';
import { ManagedIdentityEmulator } from '../emulators/managedIdentity';
import { makeLoopbackTlsAsync } from '../emulators/tls';
import { attack } from '../support/attackLog';
import { freePort, ROOT, startBot, startBotExpectingExit } from '../support/botProcess';
import { filledInputs, startSession } from '../support/session';
import { baseActivity, exchangeToken, post, say, type TeamsChat } from '../support/teams';
import { CLIENT_ID, CLIENT_SECRET, startWorld, type World } from '../support/world';

/** The managed identity whose token is the Graph app registration's federated credential. */
const GRAPH_IDENTITY = { clientId: '7d1f3c2a-5b4e-4f6a-9c8d-1e2f3a4b5c6d', principalId: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d' };
/** The bot's own identity (MicrosoftAppId with UserAssignedMSI). */
const BOT_IDENTITY = { clientId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', principalId: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e' };
/** An identity of the same tenant that the app registration does not trust. */
const STRANGER_IDENTITY = { clientId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f', principalId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a' };
const BOT_CONNECTOR = 'https://api.botframework.com';
const APP_ID_URI = `api://assistdesk.contoso.example/botid-${CLIENT_ID}`;
const CONNECTION = 'AssistDeskSSO';

let world: World;
let dir: string;
let identity: ManagedIdentityEmulator;
/** The app registration's certificate (PEM: key + certificate) and one Entra does not know. */
let certificatePath: string;
let strangerCertificatePath: string;
/** A second loopback certificate (the channel issuer, Azurite) and the bundle the bot trusts: the world's and this one. */
let extraTls: { key: string; cert: string; keyPath: string; certPath: string };
let caBundle: string;

async function writeCertificate(name: string): Promise<{ file: string; cert: string }> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const selfsigned = require('selfsigned') as typeof import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: `AssistDesk Graph app (${name})` }], { keySize: 2048, algorithm: 'sha256' } as never);
  const file = path.join(dir, `${name}.pem`);
  // As @azure/identity's EnvironmentCredential reads AZURE_CLIENT_CERTIFICATE_PATH: the key and the certificate in one file.
  writeFileSync(file, `${pems.private.trim()}\n${pems.cert.trim()}\n`);
  return { file, cert: pems.cert };
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-cred-'));
  const registered = await writeCertificate('registered');
  certificatePath = registered.file;
  strangerCertificatePath = (await writeCertificate('stranger')).file;
  // The first bot signs in to Graph with the certificate (Entra is asked only at the first turn).
  world = await startWorld({ botEnv: { AZURE_CLIENT_SECRET: '', ...certificateEnv() } });
  world.entra.registerCertificate(CLIENT_ID, registered.cert);
  identity = new ManagedIdentityEmulator({ tenantId: world.seed.tenantId, identities: [GRAPH_IDENTITY, BOT_IDENTITY, STRANGER_IDENTITY] });
  await identity.start();
  // The app registration's federated identity credential: the managed identity's tokens, by issuer and subject.
  world.entra.trustIssuer(identity.issuer, identity.publicKey);
  world.entra.registerFederatedCredential(CLIENT_ID, { issuer: identity.issuer, subject: GRAPH_IDENTITY.principalId, audience: TOKEN_EXCHANGE_AUDIENCE });
  const tls = await makeLoopbackTlsAsync(path.join(dir, 'extra'), 'AssistDesk channel and storage emulators');
  extraTls = { ...tls, keyPath: path.join(dir, 'extra', 'key.pem'), certPath: tls.certPath };
  writeFileSync(extraTls.keyPath, tls.key);
  caBundle = path.join(dir, 'ca-bundle.pem');
  writeFileSync(caBundle, `${readFileSync(world.env.NODE_EXTRA_CA_CERTS, 'utf8').trim()}\n${tls.cert.trim()}\n`);
});

after(async () => {
  await world?.stop();
  await identity?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  world.graph.reset();
  world.connector.reset();
  identity.requests.length = 0;
  world.entra.requests.length = 0;
});

/** The bot again with this Graph credential (and no other). */
async function restartBot(env: Record<string, string>): Promise<void> {
  await world.bot.stop();
  world.bot = await startBot({ ...world.env, AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: '', ...env });
}

const certificateEnv = () => ({ AZURE_CLIENT_CERTIFICATE_PATH: certificatePath });
const federatedEnv = (clientId = GRAPH_IDENTITY.clientId) => ({ MANAGED_IDENTITY_CLIENT_ID: clientId, ...identity.env });

/** The form of every token request the bot made to Entra. */
const tokenForms = () => world.entra.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/oauth2/v2.0/token')).map((r) => new URLSearchParams(r.body));

const answerTo = (messageId: unknown) =>
  world.connector.activities.filter((a) => a.body?.replyToId === messageId && a.body.type === 'message').map((a) => a.body.text ?? '').join('\n');

/** A help turn, then a session started and its report delivered: the whole technician path. */
async function helpAndSubmit(): Promise<void> {
  const chat = world.chat();
  const help = await say(chat, 'help');
  assert.equal(help.status, 200);
  const helpAnswer = world.connector.activities.find((a) => a.body?.replyToId === help.activity.id);
  assert.ok(helpAnswer, 'the help turn was answered');
  const session = await startSession(world, chat);
  await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
  await session.updatedTo('Remote assistance session reported');
  assert.equal(world.graph.reports.length, 1, 'the report reached Graph');
  assert.ok(world.graph.assistanceRequests.length === 1, 'Intune was asked once');
}

describe('Graph by certificate (AZURE_CLIENT_CERTIFICATE_PATH)', () => {

  it('answers help, starts a session and delivers the report, signing in with a certificate assertion and no secret', async () => {
    await helpAndSubmit();
    const forms = tokenForms();
    assert.ok(forms.length >= 1);
    for (const form of forms) {
      assert.equal(form.get('grant_type'), 'client_credentials');
      assert.equal(form.get('client_assertion_type'), JWT_BEARER_ASSERTION);
      assert.equal(form.get('client_secret'), null, 'no secret is sent');
      const { header, payload } = jwt.decode(form.get('client_assertion')!, { complete: true }) as unknown as { header: Record<string, string>; payload: Record<string, string> };
      // MSAL signs with the certificate's key: PS256 and the SHA-256 thumbprint.
      assert.equal(header.alg, 'PS256');
      assert.ok(header['x5t#S256']);
      assert.equal(payload.iss, CLIENT_ID);
      assert.equal(payload.sub, CLIENT_ID);
      assert.equal(payload.aud, `${world.entra.authorityHost}/${world.seed.tenantId}/oauth2/v2.0/token`);
    }
    assert.ok(world.bot.logs().some((l) => l.credential === 'certificate'), 'the start names the credential kind');
  });

  it('refuses to start with a second credential beside it, naming both variables', async () => {
    const { code, output } = await startBotExpectingExit({ ...world.env, AZURE_CLIENT_SECRET: CLIENT_SECRET });
    assert.equal(code, 1);
    assert.match(output, /- AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are set: set exactly one Graph credential/);
    assert.ok(!output.includes(CLIENT_SECRET), 'the secret is not echoed');
  });

  it('refuses to start with a certificate file it cannot read, naming AZURE_CLIENT_CERTIFICATE_PATH', async () => {
    // The other flaws of the file (no key, no certificate, a wrong password, a key of another certificate): test/unit/config.test.ts.
    const { code, output } = await startBotExpectingExit({ ...world.env, AZURE_CLIENT_CERTIFICATE_PATH: path.join(dir, 'absent.pem') });
    assert.equal(code, 1);
    assert.match(output, /- AZURE_CLIENT_CERTIFICATE_PATH cannot be read \(".*absent\.pem": ENOENT\)/);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  });
});

describe('Graph by a certificate Entra does not know', () => {
  before(() => restartBot({ AZURE_CLIENT_CERTIFICATE_PATH: strangerCertificatePath }));

  it('tells the technician the app\'s sign-in failed, logs Entra\'s reason and no key or assertion', async () => {
    const asked = await say(world.chat(), 'help me with device LAPTOP-42');
    await attack('Graph sign-in with a certificate the app registration does not have', 'refused (AADSTS700027), nothing reached Graph', async () =>
      `${/AADSTS700027/.test(world.bot.output()) ? 'refused (AADSTS700027)' : 'not refused by Entra'}, ${world.graph.requests.length ? 'Graph reached' : 'nothing reached Graph'}`);
    assert.match(answerTo(asked.activity.id), /refused AssistDesk's sign-in/);
    const output = world.bot.output();
    assert.match(output, /AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application/);
    const key = readFileSync(strangerCertificatePath, 'utf8').split('\n')[1];
    assert.ok(!output.includes(key), 'no private key in the log');
    for (const form of tokenForms()) assert.ok(!output.includes(form.get('client_assertion')!), 'no client assertion in the log');
  });
});

describe('Graph by the managed identity as federated credential (MANAGED_IDENTITY_CLIENT_ID)', () => {
  before(() => restartBot(federatedEnv()));

  it('answers help, starts a session and delivers the report, with the identity\'s token as client assertion', async () => {
    await helpAndSubmit();
    // The managed identity endpoint was asked for the token exchange's audience, as this identity.
    assert.deepEqual([...new Set(identity.tokenRequests().map((r) => `${r.resource} ${r.clientId}`))], [`${TOKEN_EXCHANGE_AUDIENCE} ${GRAPH_IDENTITY.clientId}`]);
    assert.ok(identity.requests.every((r) => r.url.searchParams.get('api-version') === '2019-08-01' && r.headers['x-identity-header'] === identity.identityHeader));
    const forms = tokenForms();
    assert.ok(forms.length >= 1);
    for (const form of forms) {
      assert.equal(form.get('client_id'), CLIENT_ID);
      assert.equal(form.get('client_assertion_type'), JWT_BEARER_ASSERTION);
      assert.equal(form.get('client_secret'), null);
      const claims = identity.verify(form.get('client_assertion')!, TOKEN_EXCHANGE_AUDIENCE);
      assert.equal(claims?.sub, GRAPH_IDENTITY.principalId, 'the assertion is the identity\'s token');
    }
  });
});

describe('Azure Storage signed in to as the managed identity (Azurite with OAuth over HTTPS)', () => {
  let azurite: ChildProcess | undefined;
  let ports: { blob: number; queue: number };
  /** The identity's token requests while the bot opened the store at start (beforeEach clears the recording). */
  let atStart: ReturnType<ManagedIdentityEmulator['tokenRequests']> = [];

  before(async () => {
    ports = { blob: await freePort(), queue: await freePort() };
    // Azurite's `--oauth basic` accepts bearer tokens (issuer, audience, nbf/exp checked; not the signature) and
    // needs HTTPS. No account key reaches the bot: the identity's token is the only way in.
    azurite = spawn(process.execPath, [
      path.join(ROOT, 'node_modules/azurite/dist/src/azurite.js'), '--silent', '--inMemoryPersistence', '--loose', '--skipApiVersionCheck', '--disableTelemetry',
      '--oauth', 'basic', '--cert', extraTls.certPath, '--key', extraTls.keyPath,
      '--blobHost', '127.0.0.1', '--blobPort', String(ports.blob), '--queueHost', '127.0.0.1', '--queuePort', String(ports.queue), '--tablePort', String(await freePort()),
    ], { stdio: 'ignore' });
    for (let tries = 0; ; tries++) {
      const up = await Promise.all([ports.blob, ports.queue].map((port) => new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => resolve(false));
      })));
      if (up.every(Boolean)) break;
      if (tries > 100 || azurite.exitCode !== null) throw new Error('Azurite did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await restartBot({
      ...federatedEnv(),
      AZURE_STORAGE_ACCOUNT_URL: `https://127.0.0.1:${ports.blob}/devstoreaccount1`,
      AZURE_STORAGE_QUEUE_URL: `https://127.0.0.1:${ports.queue}/devstoreaccount1`,
      NODE_EXTRA_CA_CERTS: caBundle,
    });
    atStart = identity.tokenRequests();
  });

  after(async () => {
    if (azurite && azurite.exitCode === null) {
      azurite.kill('SIGTERM');
      await once(azurite, 'exit');
    }
  });

  it('keeps sessions and the outbox on Azure Storage with the identity\'s token, and delivers the report', async () => {
    await helpAndSubmit();
    const storageTokens = [...atStart, ...identity.tokenRequests()].filter((r) => r.resource === 'https://storage.azure.com');
    assert.ok(storageTokens.length >= 1, 'the storage token came from the managed identity endpoint');
    assert.ok(storageTokens.every((r) => r.clientId === GRAPH_IDENTITY.clientId), 'as the identity of MANAGED_IDENTITY_CLIENT_ID');
    assert.ok(!world.bot.output().includes('embedded SQLite database'), 'the Azure Storage engine was used');
    assert.ok(!tokenForms().some((f) => (f.get('scope') ?? '').includes('storage.azure.com')), 'not the app registration\'s token');
  });
});

describe('Graph by a managed identity the app registration does not trust', () => {
  before(() => restartBot(federatedEnv(STRANGER_IDENTITY.clientId)));

  it('tells the technician the app\'s sign-in failed and logs Entra\'s AADSTS70021, no token', async () => {
    const asked = await say(world.chat(), 'help me with device LAPTOP-42');
    await attack('Graph sign-in with a managed identity that is no federated credential of the app', 'refused (AADSTS70021), nothing reached Graph', async () =>
      `${/AADSTS70021/.test(world.bot.output()) ? 'refused (AADSTS70021)' : 'not refused by Entra'}, ${world.graph.requests.length ? 'Graph reached' : 'nothing reached Graph'}`);
    assert.match(answerTo(asked.activity.id), /refused AssistDesk's sign-in/);
    const output = world.bot.output();
    assert.match(output, /AADSTS70021: No matching federated identity record found for presented assertion/);
    assert.ok(!/eyJ[\w-]{10,}\.[\w-]{10,}/.test(output), 'no token in the log');
  });
});

describe('single sign-on (on-behalf-of) with each secretless credential', () => {
  const userToken = () => {
    const technician = world.seed.users[0];
    return world.entra.issueUserToken({ oid: technician.id, name: technician.displayName, upn: technician.userPrincipalName!, aud: APP_ID_URI, scp: 'access_as_user' });
  };
  for (const [name, env] of [['certificate', certificateEnv], ['federated credential', federatedEnv]] as const) {
    it(`asks Intune as the technician with the app's ${name}`, async () => {
      await restartBot({ ...env(), SSO_APP_ID_URI: APP_ID_URI, SSO_CONNECTION_NAME: CONNECTION });
      const chat = world.chat();
      const asked = await say(chat, 'help me with device LAPTOP-42');
      const card = world.connector.activities.find((a) => a.body?.replyToId === asked.activity.id && a.body.type === 'message')?.body.attachments?.[0];
      assert.equal(card?.contentType, 'application/vnd.microsoft.card.oauth');
      const exchanged = await exchangeToken(chat, { id: card.content.tokenExchangeResource.id, connectionName: CONNECTION, token: userToken() });
      assert.equal(exchanged.status, 200);
      assert.equal(world.graph.assistanceRequests.length, 1);
      const request = world.graph.requests.find((r) => r.url.pathname.endsWith('/requestRemoteAssistance'))!;
      const delegated = jwt.decode(String(request.headers.authorization).replace(/^Bearer /, '')) as Record<string, string>;
      assert.equal(delegated.oid, world.seed.users[0].id, 'Intune was asked as the technician');
      const obo = tokenForms().filter((f) => f.get('requested_token_use') === 'on_behalf_of');
      assert.equal(obo.length, 1);
      assert.equal(obo[0].get('client_assertion_type'), JWT_BEARER_ASSERTION);
      assert.equal(obo[0].get('client_secret'), null);
    });
  }
});

describe('the bot\'s own identity as a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI)', () => {
  let issuer: ChannelIssuer;
  let connector: ConnectorEmulator;

  before(async () => {
    issuer = new ChannelIssuer({ tls: extraTls });
    // The Bot Connector accepts only the bot identity's token for it.
    connector = new ConnectorEmulator({ expectBearer: (token) => identity.verify(token, BOT_CONNECTOR)?.appid === BOT_IDENTITY.clientId });
    await Promise.all([issuer.start(), connector.start()]);
    // Graph still by the client secret: the bot's tokens must come from its identity all the same.
    await restartBot({
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
      ...identity.env,
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppId: BOT_IDENTITY.clientId,
      MicrosoftAppTenantId: world.seed.tenantId,
      ALLOW_ANY_USER_AS_TECHNICIAN: 'true',
      ToBotFromChannelOpenIdMetadataUrl: issuer.openIdMetadataUrl,
      ToBotFromChannelTokenIssuer: issuer.issuer,
      ToChannelFromBotOAuthScope: BOT_CONNECTOR,
      ToChannelFromBotLoginUrl: `${world.entra.authorityHost}/${world.seed.tenantId}`,
      OAuthUrl: 'https://api.botframework.com',
      CallerId: 'urn:botframework:azure',
      NODE_EXTRA_CA_CERTS: caBundle,
    });
  });

  after(async () => {
    await Promise.all([issuer?.stop(), connector?.stop()]);
  });

  it('answers a channel-authenticated message with a reply carrying the identity\'s Bot Connector token', async () => {
    const chat: TeamsChat = world.chat({ serviceUrl: connector.serviceUrl });
    const activity: Record<string, unknown> = { ...baseActivity(chat, 'message'), recipient: { id: `28:${BOT_IDENTITY.clientId}`, name: 'AssistDesk' }, text: 'help me with device LAPTOP-42', textFormat: 'plain' };
    const { status } = await post(chat.botUrl, activity, { authorization: issuer.authorization({ appId: BOT_IDENTITY.clientId, serviceUrl: connector.serviceUrl }) });
    assert.equal(status, 200, world.bot.output());
    const reply = await connector.waitFor((a) => a.body?.replyToId === activity.id);
    assert.equal(reply.kind, 'reply');
    assert.ok(connector.requests.every((r) => r.faulted === undefined));
    assert.ok(identity.tokenRequests().some((r) => r.resource === BOT_CONNECTOR && r.clientId === BOT_IDENTITY.clientId), 'the token came from the bot\'s identity');
    // Not the Graph app registration's client credentials (what DefaultAzureCredential would have taken).
    assert.ok(!tokenForms().some((f) => (f.get('scope') ?? '').startsWith(BOT_CONNECTOR)), 'Entra was never asked for a Bot Connector token with the Graph app');
  });
});
