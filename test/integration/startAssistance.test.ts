import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertValidCard, executeActions, inputs } from '../support/cardValidation';
import { click, install, post, say, type PostResult } from '../support/teams';
import { useWorld, type World } from '../support/world';

let world: World;
useWorld((w) => (world = w));

/** What the bot posted back in answer to one activity (typing indicators aside). */
function answersTo(result: PostResult) {
  return world.connector.activities.filter((a) => a.replyToId === result.activity.id || a.body?.replyToId === result.activity.id).filter((a) => a.body.type === 'message');
}
const cardOf = (result: PostResult) => {
  const [answer] = answersTo(result);
  assert.ok(answer, 'the bot answered');
  const attachment = answer.body.attachments?.[0];
  assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.adaptive');
  return attachment.content;
};
const textOf = (result: PostResult) => answersTo(result).map((a) => a.body.text).join('\n');
const deviceLookups = () => world.graph.requests.filter((r) => r.method === 'GET' && r.url.pathname.toLowerCase() === '/v1.0/devicemanagement/manageddevices');

describe('help me with device X', () => {
  it('finds the one matching device, requests assistance and posts the session card', async () => {
    const chat = world.chat({ timeZone: 'America/Sao_Paulo' });
    const result = await say(chat, 'help me with device LAPTOP-42');
    assert.equal(result.status, 200);

    const [lookup] = deviceLookups();
    assert.equal(lookup.url.searchParams.get('$filter'), "deviceName eq 'LAPTOP-42'");
    assert.ok(lookup.url.searchParams.get('$select')!.split(',').includes('complianceState'));
    const laptop = world.seed.devices.find((d) => d.deviceName === 'LAPTOP-42')!;
    assert.deepEqual(world.graph.assistanceRequests, [laptop.id]);
    const request = world.graph.requests.find((r) => r.method === 'POST')!;
    assert.equal(request.url.pathname, `/v1.0/deviceManagement/managedDevices/${laptop.id}/requestRemoteAssistance`);
    assert.equal(request.body, '');

    const card = cardOf(result);
    assertValidCard(card);
    assert.equal(card.version, '1.5');
    const text = JSON.stringify(card);
    for (const fact of ['LAPTOP-42', 'Windows 10.0.22631.4317', 'Maria Silva', 'Compliant', 'Logged from the request']) assert.ok(text.includes(fact), fact);
    // One click logs it: full control the first time, "since the request, until now"; the minutes are behind "Adjust times".
    const fields = inputs(card);
    assert.deepEqual(Object.keys(fields).sort(), ['endedMinutesAgo', 'helperDeviceId', 'lastedMinutes', 'sessionType']);
    assert.equal(fields.sessionType.value, 'fullControl');
    assert.equal(fields.endedMinutesAgo.value, null, 'empty: ended now');
    assert.ok(text.includes('"type":"Action.ToggleVisibility","title":"Adjust times","targetElements":["adjustTimes"]'));
    // Alex's most recently synced managed device is offered first and chosen.
    assert.ok(world.seed.devices.filter((d) => d.userId === world.seed.users[0].id).some((d) => d.id === fields.helperDeviceId.value));
    assert.deepEqual(executeActions(card).map((a) => a.verb), ['submitReport', 'cancelSession']);
  });

  for (const [text, name] of [
    ['help with device LAPTOP-42', 'LAPTOP-42'],
    ['HELP ME WITH laptop-42', 'laptop-42'],
    ['help me with device DESK 7', 'DESK 7'],
    ["help me with device O'Brien-PC", "O'Brien-PC"],
    ['help me with device "Ноутбук-5"', 'Ноутбук-5'],
    ["help me with device Kim & Lee's iPad #2", "Kim & Lee's iPad #2"],
    ['help me with device C++ Build 100% / \\ ?', 'C++ Build 100% / \\ ?'],
    ['help me with device Say "Hi" — Ünïcødé 机', 'Say "Hi" — Ünïcødé 机'],
  ]) {
    it(`understands ${JSON.stringify(text)}`, async () => {
      const result = await say(world.chat(), text);
      const filter = deviceLookups()[0].url.searchParams.get('$filter');
      assert.equal(filter, `deviceName eq '${name.replace(/'/g, "''")}'`);
      assert.equal(world.graph.assistanceRequests.length, 1);
      assert.ok(JSON.stringify(cardOf(result)).includes('Remote assistance requested'));
    });
  }

  it('answers in a group chat only when @mentioned', async () => {
    const chat = world.chat({ conversationType: 'groupChat', conversationId: '19:group-chat-1@thread.v2' });
    const ignored = await say(chat, 'help me with device LAPTOP-42');
    assert.equal(ignored.status, 200);
    assert.equal(answersTo(ignored).length, 0);
    assert.equal(world.graph.requests.length, 0);

    const mentioned = await say(chat, 'help me with device LAPTOP-42', { mention: true });
    assert.equal(world.graph.assistanceRequests.length, 1);
    assertValidCard(cardOf(mentioned));
  });

  it('in a group chat, shows everyone where the session stands and the technician their own form, and sends nothing on a refresh', async () => {
    const chat = world.chat({ conversationType: 'groupChat', conversationId: `19:group-views-${Date.now()}@thread.v2` });
    const posted = await say(chat, 'help me with device LAPTOP-42', { mention: true });
    const [message] = answersTo(posted);
    const shared = message.body.attachments[0].content;
    assertValidCard(shared);
    assert.match(JSON.stringify(shared), /Remote assistance requested/);
    assert.deepEqual(inputs(shared), {}, 'no form for everyone');
    assert.deepEqual(shared.refresh.userIds, [chat.user.id]);
    const sessionId = shared.refresh.action.data.sessionId;

    const sent = world.connector.activities.length;
    const own = await click(chat, 'refreshSession', { sessionId }, { replyToId: message.activityId, trigger: 'automatic' });
    assert.ok(inputs(own.body.value).sessionType, 'the technician gets the form');
    const colleague = world.seed.users[1];
    const other = await click({ ...chat, user: { id: `29:1${colleague.id}`, aadObjectId: colleague.id, name: colleague.displayName } }, 'refreshSession', { sessionId }, { replyToId: message.activityId, trigger: 'automatic' });
    assert.deepEqual(inputs(other.body.value), {}, 'anyone else gets the status');
    assert.deepEqual(executeActions({ ...other.body.value, refresh: undefined }), []);
    assert.equal(world.connector.activities.length, sent, 'a refresh sends and updates nothing');

    // Cancelled by the technician: everyone's card says so, not only theirs.
    await click(chat, 'cancelSession', { sessionId }, { replyToId: message.activityId });
    const update = await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === message.activityId);
    assert.match(JSON.stringify(update.body), /Remote assistance session cancelled/);
  });

  it('answers in a channel after an @mention', async () => {
    const chat = world.chat({ conversationType: 'channel', conversationId: '19:channel-1@thread.tacv2;messageid=1' });
    const result = await say(chat, 'help with device DESK 7', { mention: true });
    assert.equal(world.graph.assistanceRequests.length, 1);
    assertValidCard(cardOf(result));
  });

  it('says which name found nothing, and requests nothing', async () => {
    const result = await say(world.chat(), 'help me with device NOPE-99');
    assert.match(textOf(result), /no Intune device named "NOPE-99"/);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('shows a typing indicator before the answer when the lookup is slow', async () => {
    const everythingTo = (result: PostResult) => world.connector.activities.filter((a) => a.replyToId === result.activity.id || a.body?.replyToId === result.activity.id).map((a) => a.body.type);
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 200, delayMs: 2500 });
    const slow = await say(world.chat(), 'help me with device NO-SUCH');
    assert.deepEqual(everythingTo(slow), ['typing', 'message']);
  });

  it('lists several matches and requests only the one picked', async () => {
    const chat = world.chat();
    const result = await say(chat, 'help me with device KIOSK-01');
    assert.equal(world.graph.assistanceRequests.length, 0);
    const card = cardOf(result);
    assertValidCard(card);
    const text = JSON.stringify(card);
    for (const fact of ['2 devices are named', 'Kim Lee', 'José Ñúñez', 'iOS 18.1', 'Windows']) assert.ok(text.includes(fact), fact);
    const picks = executeActions(card);
    assert.equal(picks.length, 2);
    assert.ok(picks.every((p) => p.verb === 'pickDevice'));

    const picked = await click(chat, 'pickDevice', picks[1].data);
    assert.equal(picked.status, 200);
    assert.deepEqual(world.graph.assistanceRequests, [picks[1].data.deviceId]);
    assert.equal(picked.body.type, 'application/vnd.microsoft.card.adaptive');
    assertValidCard(picked.body.value);
    assert.ok(JSON.stringify(picked.body.value).includes('iOS 18.1'));
  });

  it('offers the devices whose names contain a part of a name, those starting with it first, and requests only the one picked', async () => {
    const chat = world.chat();
    const result = await say(chat, 'help me with device kiosk');
    assert.equal(world.graph.assistanceRequests.length, 0, 'nothing requested before a pick');
    assert.deepEqual(deviceLookups().map((r) => r.url.searchParams.get('$filter')), ["deviceName eq 'kiosk'", "contains(deviceName,'kiosk')"]);
    const card = cardOf(result);
    assertValidCard(card);
    assert.match(JSON.stringify(card), /2 devices have \\"kiosk\\" in their names/);
    const picks = executeActions(card);
    assert.equal(picks.length, 2);
    const picked = await click(chat, 'pickDevice', picks[0].data);
    assert.deepEqual(world.graph.assistanceRequests, [picks[0].data.deviceId]);
    assertValidCard(picked.body.value);

    world.graph.reset();
    const one = JSON.stringify(cardOf(await say(chat, 'help me with device 42')));
    assert.match(one, /1 device has \\"42\\" in its name/);
    assert.match(one, /LAPTOP-42/);
    assert.equal(world.graph.assistanceRequests.length, 0, 'a single partial match is offered too, not requested');
  });

  it('says neither the name nor a part of it matched', async () => {
    const result = await say(world.chat(), 'help me with device ZZZ-NONE');
    assert.match(textOf(result), /no Intune device named "ZZZ-NONE", nor any whose name contains it/);
    assert.equal(deviceLookups().length, 2);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('asks Intune once when Teams retries a turn or a pick is clicked twice', async () => {
    const chat = world.chat();
    const first = await say(chat, 'help me with device LAPTOP-42');
    const retried = await post(chat.botUrl, first.activity);
    assert.equal(retried.status, 200);
    assert.equal(world.graph.assistanceRequests.length, 1);
    assert.match(textOf(retried), /already on it/);

    const choice = await say(chat, 'help me with device KIOSK-01');
    const [answer] = answersTo(choice);
    const pick = executeActions(answer.body.attachments[0].content)[0];
    const clicks = await Promise.all([1, 2].map(() => click(chat, 'pickDevice', pick.data, { replyToId: answer.activityId })));
    assert.equal(world.graph.assistanceRequests.length, 2);
    assert.equal(clicks.filter((c) => c.body.type === 'application/vnd.microsoft.card.adaptive').length, 1);
  });

  it('refuses a forged device pick without requesting anything', async () => {
    const picked = await click(world.chat(), 'pickDevice', { deviceId: "x' or 1 eq 1" });
    assert.equal(picked.status, 200);
    assert.equal(picked.body.type, 'application/vnd.microsoft.activity.message');
    assert.match(picked.body.value, /no longer in Intune/);
    assert.equal(world.graph.requests.length, 0);
  });

  it('answers help, and anything not understood, with the help card', async () => {
    const help = cardOf(await say(world.chat(), 'help'));
    assertValidCard(help);
    assert.ok(JSON.stringify(help).includes('help me with device LAPTOP-42'));
    const unknown = cardOf(await say(world.chat(), 'make me a sandwich'));
    assert.ok(JSON.stringify(unknown).includes("I didn't understand that."));
    assert.equal(world.graph.requests.length, 0);
  });

  it('greets once when installed', async () => {
    const chat = world.chat();
    const result = await install(chat);
    assert.equal(result.status, 200);
    const answers = world.connector.activities.filter((a) => a.conversationId === chat.conversationId && a.body.type === 'message');
    assert.equal(answers.length, 1);
    assert.match(answers[0].body.text, /Hi Alex Tech! I'm AssistDesk/);
    assertValidCard(answers[0].body.attachments[0].content);
  });
});

describe('help me with a person', () => {
  const userLookups = () => world.graph.requests.filter((r) => r.method === 'GET' && r.url.pathname.toLowerCase() === '/v1.0/users').map((r) => r.url.searchParams.get('$filter'));
  const maria = () => world.seed.users.find((u) => u.displayName === 'Maria Silva')!;

  it('offers the devices of the person an address names, without looking for a device, and requests only the one picked', async () => {
    const chat = world.chat();
    const result = await say(chat, 'help me with MARIA.SILVA@contoso.example');
    assert.deepEqual(userLookups(), ["userPrincipalName eq 'MARIA.SILVA@contoso.example' or mail eq 'MARIA.SILVA@contoso.example'"]);
    assert.equal(deviceLookups().length, 0, 'an address is never a device name');
    assert.equal(world.graph.assistanceRequests.length, 0);
    const card = cardOf(result);
    assertValidCard(card);
    assert.match(JSON.stringify(card), /Maria Silva has 2 managed devices/);
    const mine = world.seed.devices.filter((d) => d.userId === maria().id).map((d) => d.id).sort();
    const picks = executeActions(card);
    assert.deepEqual(picks.map((p) => p.data.deviceId).sort(), mine);
    const picked = await click(chat, 'pickDevice', picks[0].data);
    assert.deepEqual(world.graph.assistanceRequests, [picks[0].data.deviceId]);
    assert.ok(JSON.stringify(picked.body.value).includes('Remote assistance requested'));
  });

  it('finds a person by an e-mail address that is not their sign-in name', async () => {
    const result = await say(world.chat(), 'help me with mariana.costa@contoso.example');
    assert.match(textOf(result), /Mariana Costa has no device managed by Intune/);
  });

  it('reads a display name as a person when no device has that name, and a device name as the device', async () => {
    const card = cardOf(await say(world.chat(), 'help me with maria silva'));
    assert.deepEqual(deviceLookups().map((r) => r.url.searchParams.get('$filter')), ["deviceName eq 'maria silva'"]);
    assert.deepEqual(userLookups(), ["startswith(displayName,'maria silva') or startswith(givenName,'maria silva') or startswith(surname,'maria silva')"]);
    assert.match(JSON.stringify(card), /Maria Silva has 2 managed devices/);

    world.graph.reset();
    cardOf(await say(world.chat(), 'help me with LAPTOP-42'));
    assert.equal(userLookups().length, 0, 'a device of that name: no person is looked for');
    assert.equal(world.graph.assistanceRequests.length, 1);
  });

  it('offers the people a name fits, then the devices of the one picked', async () => {
    const chat = world.chat();
    const card = cardOf(await say(chat, 'help me with Mari'));
    assertValidCard(card);
    assert.match(JSON.stringify(card), /2 people match \\"Mari\\"/);
    const picks = executeActions(card);
    assert.deepEqual(picks.map((p) => p.verb), ['pickPerson', 'pickPerson']);
    const picked = await click(chat, 'pickPerson', picks[0].data);
    assert.match(JSON.stringify(picked.body.value), /Maria Silva has 2 managed devices/);
    const second = await click(chat, 'pickPerson', picks[1].data);
    assert.match(second.body.value, /Mariana Costa has no device managed by Intune/);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it("escapes a quote in a person's name for the directory", async () => {
    const card = cardOf(await say(world.chat(), "help me with O'Brien"));
    assert.ok(userLookups()[0]!.includes("startswith(surname,'O''Brien')"));
    assert.match(JSON.stringify(card), /Pat O'Brien has 1 managed device/);
  });

  it('says when neither a device nor a person goes by the name, and refuses a forged person pick', async () => {
    assert.match(textOf(await say(world.chat(), 'help me with nobody@contoso.example')), /nobody in the directory named "nobody@contoso\.example"/);
    assert.match(textOf(await say(world.chat(), 'help me with Zebedee')), /nobody in the directory named "Zebedee"/);
    world.graph.reset();
    const forged = await click(world.chat(), 'pickPerson', { userId: "x' or 1 eq 1" });
    assert.match(forged.body.value, /no longer in the directory/);
    assert.equal(world.graph.requests.length, 0);
  });
});
