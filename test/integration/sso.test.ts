import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { attack } from '../support/attackLog';
import { click, exchangeToken, invokeActivity, post, say, type PostResult, type TeamsChat } from '../support/teams';
import { CLIENT_ID, startWorld, type World } from '../support/world';

const APP_ID_URI = `api://assistdesk.contoso.example/botid-${CLIENT_ID}`;
const CONNECTION = 'AssistDeskSSO';
let world: World;
before(async () => (world = await startWorld({ botEnv: { SSO_APP_ID_URI: APP_ID_URI, SSO_CONNECTION_NAME: CONNECTION } })));
after(async () => world?.stop());
beforeEach(() => {
  world.graph.reset();
  world.connector.reset();
});

const claimsOf = (authorization: string | string[] | undefined) =>
  JSON.parse(Buffer.from(String(authorization).replace(/^Bearer /, '').split('.')[1], 'base64url').toString('utf8'));

/** Asks for a device and returns the exchange id of the sign-in card the bot answered with. */
async function askAndGetSignInCard(chat: TeamsChat, text = 'help me with device LAPTOP-42'): Promise<string> {
  const asked = await say(chat, text);
  const answer = world.connector.activities.find((a) => a.body?.replyToId === asked.activity.id && a.body.type === 'message');
  const card = answer?.body.attachments?.[0];
  assert.equal(card?.contentType, 'application/vnd.microsoft.card.oauth');
  assert.equal(card.content.connectionName, CONNECTION);
  assert.equal(card.content.tokenExchangeResource.uri, APP_ID_URI);
  return card.content.tokenExchangeResource.id;
}

function userToken(overrides: { oid?: string; expiresInSec?: number } = {}): string {
  const technician = world.seed.users[0];
  return world.entra.issueUserToken({
    oid: overrides.oid ?? technician.id,
    name: technician.displayName,
    upn: technician.userPrincipalName!,
    aud: APP_ID_URI,
    scp: 'access_as_user',
    expiresInSec: overrides.expiresInSec,
  });
}

const messagesAfter = (result: PostResult) =>
  world.connector.activities.filter((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message');

describe('single sign-on: one request per message or card, however often it arrives', () => {
  it('parks a message once when Teams retries it: one sign-in card, one request to Intune', async () => {
    const chat = world.chat();
    await attack('Teams retry of a message with single sign-on', 'one sign-in card, one Intune request', async () => {
      const first = await say(chat, 'help me with device LAPTOP-42');
      const cards = () => world.connector.activities.filter((a) => a.body?.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.oauth');
      await say(chat, 'help me with device LAPTOP-42', { activityId: first.activity.id as string });
      for (const card of cards()) await exchangeToken(chat, { id: card.body.attachments[0].content.tokenExchangeResource.id, connectionName: CONNECTION, token: userToken() });
      return `${cards().length === 1 ? 'one sign-in card' : `${cards().length} sign-in cards`}, ${world.graph.assistanceRequests.length === 1 ? 'one Intune request' : `${world.graph.assistanceRequests.length} Intune requests`}`;
    });
  });

  it('parks a double-clicked device pick once', async () => {
    const chat = world.chat();
    await attack('double click on a device pick with single sign-on', 'one sign-in card, one Intune request', async () => {
      const kiosk = world.seed.devices.find((d) => d.deviceName === 'KIOSK-01')!;
      const choiceCardId = 'choice-card-activity-1';
      const clicks = await Promise.all([1, 2].map(() => click(chat, 'pickDevice', { deviceId: kiosk.id }, { replyToId: choiceCardId })));
      const cards = world.connector.activities.filter((a) => a.body?.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.oauth');
      for (const card of cards) await exchangeToken(chat, { id: card.body.attachments[0].content.tokenExchangeResource.id, connectionName: CONNECTION, token: userToken() });
      assert.ok(clicks.every((c) => c.status === 200));
      return `${cards.length === 1 ? 'one sign-in card' : `${cards.length} sign-in cards`}, ${world.graph.assistanceRequests.length === 1 ? 'one Intune request' : `${world.graph.assistanceRequests.length} Intune requests`}`;
    });
  });
});

describe('single sign-on for the request', () => {
  it('asks Intune as the technician, on behalf of their Teams token', async () => {
    const chat = world.chat();
    const exchangeId = await askAndGetSignInCard(chat);
    assert.equal(world.graph.requests.length, 0, 'nothing asked before sign-in');

    const exchanged = await exchangeToken(chat, { id: exchangeId, connectionName: CONNECTION, token: userToken() });
    assert.equal(exchanged.status, 200);
    const laptop = world.seed.devices.find((d) => d.deviceName === 'LAPTOP-42')!;
    assert.deepEqual(world.graph.assistanceRequests, [laptop.id]);
    const request = world.graph.requests.find((r) => r.url.pathname.endsWith('/requestRemoteAssistance'))!;
    const delegated = claimsOf(request.headers.authorization);
    assert.equal(delegated.oid, world.seed.users[0].id);
    assert.match(delegated.scp, /DeviceManagementManagedDevices\.ReadWrite\.All/);
    const lookup = world.graph.requests.find((r) => r.url.pathname.endsWith('/managedDevices'))!;
    assert.ok(claimsOf(lookup.headers.authorization).roles, 'reads use the app credential');
    const [card] = messagesAfter(exchanged);
    assert.match(JSON.stringify(card.body.attachments[0].content), /Remote assistance requested/);
    assert.ok(world.entra.requests.some((r) => r.body.includes('jwt-bearer')), 'an on-behalf-of exchange happened');
  });

  it('runs a request once when Teams exchanges the token twice', async () => {
    const chat = world.chat();
    const exchangeId = await askAndGetSignInCard(chat);
    const token = userToken();
    const results = await Promise.all([
      exchangeToken(chat, { id: exchangeId, connectionName: CONNECTION, token }),
      exchangeToken(chat, { id: exchangeId, connectionName: CONNECTION, token }),
    ]);
    assert.ok(results.every((r) => r.status === 200));
    await attack('duplicate token exchange for one sign-in card', 'one request', async () => `${world.graph.assistanceRequests.length === 1 ? 'one request' : `${world.graph.assistanceRequests.length} requests`}`);
  });

  it('falls back to sign-in and consent when the token is expired or revoked, requesting nothing', async () => {
    const chat = world.chat();
    await attack('single sign-on with an expired user token', '412, nothing requested', async () => {
      const result = await exchangeToken(chat, { id: await askAndGetSignInCard(chat), connectionName: CONNECTION, token: userToken({ expiresInSec: -120 }) });
      assert.match(messagesAfter(result).map((m) => m.body.text).join(), /couldn't sign you in silently.*adminconsent\?client_id=/);
      return `${result.status}, ${world.graph.assistanceRequests.length ? 'requested' : 'nothing requested'}`;
    });
    world.entra.revokeUser(world.seed.users[0].id);
    try {
      await attack('single sign-on with a revoked user token', '412, nothing requested', async () => {
        const result = await exchangeToken(chat, { id: await askAndGetSignInCard(chat), connectionName: CONNECTION, token: userToken() });
        return `${result.status}, ${world.graph.assistanceRequests.length ? 'requested' : 'nothing requested'}`;
      });
    } finally {
      (world.entra as unknown as { revoked: Set<string> }).revoked.delete(world.seed.users[0].id);
    }
  });

  it('answers the sign-in button\'s verifyState by asking to repeat the request', async () => {
    const chat = world.chat();
    const activity = invokeActivity(chat, 'signin/verifyState', { state: '123456' });
    const result = await post(chat.botUrl, activity);
    assert.equal(result.status, 200);
    assert.match(messagesAfter(result).map((m) => m.body.text).join(), /You're signed in\. Ask again/);
    // Teams may send it again (another client, another instance): answered once.
    const again = await post(chat.botUrl, invokeActivity(chat, 'signin/verifyState', { state: '123456' }));
    assert.equal(again.status, 200);
    assert.equal(messagesAfter(again).length, 0);
    assert.equal(world.graph.requests.length, 0);
  });

  it('keeps user tokens out of the logs', () => {
    const output = world.bot.output();
    assert.doesNotMatch(output, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    assert.doesNotMatch(output, /Bearer\s+[A-Za-z0-9]/i);
  });

  it("refuses another user's token for the technician's request", async () => {
    const chat = world.chat();
    await attack("single sign-on with another user's token", 'refused, nothing requested', async () => {
      const result = await exchangeToken(chat, { id: await askAndGetSignInCard(chat), connectionName: CONNECTION, token: userToken({ oid: world.seed.users[1].id }) });
      const refused = /belongs to someone else/.test(messagesAfter(result).map((m) => m.body.text).join());
      return `${refused ? 'refused' : 'served'}, ${world.graph.assistanceRequests.length ? 'requested' : 'nothing requested'}`;
    });
    await attack('token exchange for an unknown sign-in card', 'ignored, nothing requested', async () => {
      const result = await exchangeToken(chat, { id: 'not-a-card', connectionName: CONNECTION, token: userToken() });
      return `${result.status === 200 && messagesAfter(result).length === 0 ? 'ignored' : 'answered'}, ${world.graph.assistanceRequests.length ? 'requested' : 'nothing requested'}`;
    });
  });
});

describe('single sign-on: Take it signs the technician in inside the card', () => {
  it('asks Teams for a login, then asks Intune as the technician through the requester; a token of someone else asks again', async () => {
    const maria = world.seed.users.find((u) => u.displayName === 'Maria Silva')!;
    const technician = world.seed.users[0];
    const thread = '19:helpdesk-sso@thread.tacv2;messageid=1';
    const inChannel = (u: typeof maria) => world.chat({ conversationType: 'channel', conversationId: thread, user: { id: `29:1${u.id}`, aadObjectId: u.id, name: u.displayName } });
    const asked = await say(inChannel(maria), 'help me with my device LAPTOP-42', { mention: true });
    const answer = messagesAfter(asked)[0];
    const sessionId = answer.body.attachments[0].content.actions[0].data.sessionId;

    const login = await click(inChannel(technician), 'takeRequest', { sessionId }, { replyToId: answer.activityId });
    assert.equal(login.body.statusCode, 401);
    assert.equal(login.body.type, 'application/vnd.microsoft.activity.loginRequest');
    assert.equal(login.body.value.tokenExchangeResource.uri, APP_ID_URI);
    assert.equal(login.body.value.connectionName, CONNECTION);
    const someoneElse = await click(inChannel(technician), 'takeRequest', { sessionId }, { replyToId: answer.activityId, token: userToken({ oid: maria.id }) });
    assert.equal(someoneElse.body.type, 'application/vnd.microsoft.activity.loginRequest');
    assert.equal(world.graph.assistanceRequests.length, 0);

    const taken = await click(inChannel(technician), 'takeRequest', { sessionId }, { replyToId: answer.activityId, token: userToken() });
    assert.equal(taken.body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(taken.body));
    const request = world.graph.requests.find((r) => r.method === 'POST' && /requestRemoteAssistance$/.test(r.url.pathname))!;
    assert.match(request.url.pathname, new RegExp(`^/v1.0/users/${maria.id}/managedDevices/[^/]+/requestRemoteAssistance$`));
    const claims = claimsOf(request.headers.authorization);
    assert.equal(claims.oid, technician.id, 'as the technician');
    assert.ok(claims.scp, 'a delegated token');
  });
});
