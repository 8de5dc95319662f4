// Requests from the people who need help: "help me with my device" in the helpdesk channel or a personal
// chat, "Take it" by a technician (one wins), withdraw, reminders, and each viewer's own card.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TECHNICIANS_GROUP_ID, type GraphUser } from '../emulators/seed';
import { startBot } from '../support/botProcess';
import { assertValidCard, executeActions, inputs } from '../support/cardValidation';
import { filledInputs } from '../support/session';
import { click, say, type PostResult, type TeamsChat } from '../support/teams';
import { waitFor } from '../support/wait';
import { useWorld, type World } from '../support/world';

const HELPDESK = '19:helpdesk-channel@thread.tacv2';
let world: World;
let maria: GraphUser, kim: GraphUser, alex: GraphUser, jose: GraphUser;
useWorld((w) => {
  world = w;
  [maria, kim, alex, jose] = ['Maria Silva', 'Kim Lee', 'Alex Tech', 'José Ñúñez'].map((name) => w.seed.users.find((u) => u.displayName === name)!);
  // A second technician, for two taking one request at once.
  w.seed.groups[TECHNICIANS_GROUP_ID].push(jose.id);
}, {
  botEnv: { TECHNICIAN_GROUP_ID: TECHNICIANS_GROUP_ID, HELPDESK_CHANNEL_ID: HELPDESK, REQUEST_REMINDER_MIN: '0.05', ASSISTDESK_SWEEP_SEC: '1' },
});

const asUser = (u: GraphUser) => ({ id: `29:1${u.id}`, aadObjectId: u.id, name: u.displayName });
let thread = 0;
/** The helpdesk channel, as `u` writes in it (each post is its own thread). */
const channel = (u: GraphUser): TeamsChat => world.chat({ conversationType: 'channel', conversationId: `${HELPDESK};messageid=${++thread}`, user: asUser(u) });
const personal = (u: GraphUser): TeamsChat => world.chat({ user: asUser(u), conversationId: `a:1personal-${u.id}` });
/** The same channel post, seen by someone else. */
const samePost = (chat: TeamsChat, u: GraphUser): TeamsChat => ({ ...chat, user: asUser(u) });

/** The card the bot answered a message with, and that message's id (for clicks on it). */
function cardAnswer(result: PostResult) {
  const answer = world.connector.activities.find((a) => a.replyToId === result.activity.id && a.body.type === 'message');
  assert.ok(answer, 'the bot answered');
  const card = answer.body.attachments?.[0]?.content;
  assert.ok(card, `a card, not: ${answer.body.text}`);
  assertValidCard(card);
  return { card, activityId: answer.activityId! };
}
const textAnswer = (result: PostResult) => world.connector.activities.filter((a) => a.replyToId === result.activity.id).map((a) => a.body.text).join('\n');
const invokeText = (result: PostResult) => {
  assert.equal(result.body.type, 'application/vnd.microsoft.activity.message', JSON.stringify(result.body));
  return result.body.value as string;
};
const invokeCard = (result: PostResult) => {
  assert.equal(result.body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(result.body));
  assertValidCard(result.body.value);
  return result.body.value;
};
/** The buttons a viewer sees (the refresh action is Teams', not a button). */
const buttons = (card: Record<string, unknown>) => executeActions({ ...card, refresh: undefined });
const sessionIdOf = (card: unknown) => executeActions(card).find((a) => a.verb === 'takeRequest')!.data.sessionId as string;


describe('help me with my device', () => {
  it('posts a request card for the named device with what is wrong, and asks nothing of Intune', async () => {
    const result = await say(channel(maria), 'help me with my laptop LAPTOP-42: the wifi keeps dropping', { mention: true });
    const { card } = cardAnswer(result);
    const text = JSON.stringify(card);
    for (const fact of ['Maria Silva needs help with a device', 'LAPTOP-42', 'the wifi keeps dropping', 'Windows 10.0.22631.4317']) assert.ok(text.includes(fact), fact);
    assert.deepEqual(executeActions(card).map((a) => a.verb), ['takeRequest', 'withdrawRequest']);
    assert.ok(world.graph.requests.some((r) => r.method === 'GET' && r.url.pathname === `/v1.0/users/${maria.id}/managedDevices`));
    assert.equal(world.graph.assistanceRequests.length, 0);

    const again = await say(channel(maria), 'help me with my device LAPTOP-42', { mention: true });
    assert.match(textAnswer(again), /already have an open request for LAPTOP-42/);
  });

  it('offers their own devices when they name none, and refuses a pick of a device that is not theirs', async () => {
    const chat = channel(maria);
    const { card } = cardAnswer(await say(chat, 'help me with my phone, it is very slow', { mention: true }));
    const picks = executeActions(card);
    assert.deepEqual(picks.map((p) => p.verb), ['askAbout', 'askAbout']);
    const mine = world.seed.devices.filter((d) => d.userId === maria.id).map((d) => d.id).sort();
    assert.deepEqual(picks.map((p) => p.data.deviceId).sort(), mine);
    const pixel = picks.find((p) => p.data.deviceId === world.seed.devices.find((d) => d.deviceName === 'PIXEL-7-MS')!.id)!;
    const request = invokeCard(await click(chat, 'askAbout', pixel.data));
    assert.ok(JSON.stringify(request).includes('it is very slow'));

    const forged = await click(channel(kim), 'askAbout', { deviceId: world.seed.devices.find((d) => d.deviceName === 'DESK 7')!.id, problem: 'x' });
    assert.match(invokeText(forged), /isn't one of yours/);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('lets one of two technicians take it; asks Intune through the requester; tells the requester; shows each viewer their own card', async () => {
    const chat = channel(kim);
    const { card, activityId } = cardAnswer(await say(chat, 'help me with my device KIOSK-01 the screen is frozen', { mention: true }));
    const sessionId = sessionIdOf(card);
    const clicks = await Promise.all([alex, jose].map((t) => click(samePost(chat, t), 'takeRequest', { sessionId }, { replyToId: activityId })));
    const won = clicks.findIndex((c) => c.body.type === 'application/vnd.microsoft.card.adaptive');
    assert.ok(won >= 0, 'one technician took it');
    const [winner, loser] = won === 0 ? [alex, jose] : [jose, alex];
    assert.match(invokeText(clicks[1 - won]), new RegExp(`${winner.displayName} already took this request`));

    const kiosk = world.seed.devices.find((d) => d.deviceName === 'KIOSK-01' && d.userId === kim.id)!;
    const asked = world.graph.requests.filter((r) => r.method === 'POST' && /requestRemoteAssistance$/.test(r.url.pathname));
    assert.deepEqual(asked.map((r) => r.url.pathname), [`/v1.0/users/${kim.id}/managedDevices/${kiosk.id}/requestRemoteAssistance`]);
    // The winner's card is their session log.
    const form = invokeCard(clicks[won]);
    assert.deepEqual(Object.keys(inputs(form)).sort(), ['endedMinutesAgo', 'helperDeviceId', 'lastedMinutes', 'sessionType']);

    // Everyone else's card: who is helping, no buttons; Teams refreshes it for the technician alone.
    const shared = await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === activityId);
    const status = shared.body.attachments[0].content;
    assertValidCard(status);
    assert.match(JSON.stringify(status), new RegExp(`${winner.displayName} is helping Kim Lee`));
    assert.equal(buttons(status).length, 0);
    assert.deepEqual(status.refresh.userIds, [`29:1${winner.id}`]);
    assert.equal(status.refresh.action.verb, 'refreshSession');

    const told = await world.connector.waitFor((a) => a.kind === 'create' || (a.body.type === 'message' && /is taking your request/.test(a.body.text ?? '')));
    assert.match(told.body.text, new RegExp(`${winner.displayName} is taking your request for KIOSK-01.*accept it.*isn't from us`));

    // Automatic refreshes answer each viewer and send nothing.
    const before = world.connector.activities.length;
    const mine = await click(samePost(chat, winner), 'refreshSession', { sessionId }, { replyToId: activityId, trigger: 'automatic' });
    assert.ok(inputs(invokeCard(mine)).sessionType, 'the technician sees the form');
    const theirs = await click(samePost(chat, loser), 'refreshSession', { sessionId }, { replyToId: activityId, trigger: 'automatic' });
    assert.equal(buttons(invokeCard(theirs)).length, 0, 'anyone else sees the status');
    // Each viewer in their own language, whatever the card was written in.
    const inPortuguese = await click({ ...samePost(chat, kim), locale: 'pt-BR' }, 'refreshSession', { sessionId }, { replyToId: activityId, trigger: 'automatic' });
    assert.match(JSON.stringify(invokeCard(inPortuguese)), new RegExp(`${winner.displayName} está ajudando Kim Lee`));
    const elsewhere = await click(world.chat({ user: asUser(loser) }), 'refreshSession', { sessionId }, { trigger: 'automatic' });
    assert.match(invokeText(elsewhere), /can't find this session/);
    assert.equal(world.connector.activities.length, before, 'nothing sent or updated while refreshing');

    // The winner logs it from the shared card; the report goes to Intune and every viewer sees the record.
    const submitted = await click(samePost(chat, winner), 'submitReport', { sessionId, ...filledInputs(chat) }, { replyToId: activityId });
    assert.match(JSON.stringify(invokeCard(submitted)), /Sending the report/);
    await waitFor(() => world.graph.reports.length === 1, 10_000);
    await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === activityId && /Remote assistance session reported/.test(JSON.stringify(a.body)), 10_000);
  });

  it('refuses Take it kindly to a non-technician, and to a technician on their own request', async () => {
    const chat = channel(kim);
    const { card, activityId } = cardAnswer(await say(chat, 'help me with my device C++ Build 100% / \\ ?', { mention: true }));
    assert.match(invokeText(await click(chat, 'takeRequest', { sessionId: sessionIdOf(card) }, { replyToId: activityId })), /Only helpdesk technicians can take requests/);

    const own = channel(alex);
    const mine = cardAnswer(await say(own, 'help me with my device ALEX-WS01', { mention: true }));
    assert.match(invokeText(await click(own, 'takeRequest', { sessionId: sessionIdOf(mine.card) }, { replyToId: mine.activityId })), /can't take your own request/);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('lets only the requester withdraw, until it is taken; then nothing is taken and they may ask again', async () => {
    const chat = channel(maria);
    const first = await say(chat, 'help me with my device LAPTOP-42', { mention: true });
    // Still open from the first test: withdraw that one first, from its own card.
    assert.match(textAnswer(first), /already have an open request/);
    const listed = cardAnswer(await say(channel(alex), 'requests', { mention: true }));
    const entry = (listed.card.body as unknown[]).find((c) => /Maria Silva needs help/.test(JSON.stringify(c)) && /LAPTOP-42/.test(JSON.stringify(c)));
    assert.ok(entry, 'her open request is listed');
    const [{ data: { sessionId } }] = executeActions({ body: [entry] });
    assert.match(invokeText(await click(samePost(chat, kim), 'withdrawRequest', { sessionId })), /Only Maria Silva, who asked, can withdraw/);
    const withdrawn = invokeCard(await click(chat, 'withdrawRequest', { sessionId }));
    assert.match(JSON.stringify(withdrawn), /Maria Silva withdrew the request/);
    assert.equal(executeActions(withdrawn).length, 0);
    assert.match(invokeText(await click(samePost(chat, alex), 'takeRequest', { sessionId })), /was withdrawn/);
    const again = cardAnswer(await say(chat, 'help me with my device LAPTOP-42', { mention: true }));
    assert.ok(JSON.stringify(again.card).includes('Maria Silva needs help'));
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('lists the open requests for technicians only', async () => {
    const { card } = cardAnswer(await say(channel(alex), 'requests', { mention: true }));
    const text = JSON.stringify(card);
    assert.match(text, /Open requests/);
    assert.ok(executeActions(card).every((a) => a.verb === 'takeRequest') && executeActions(card).length >= 1);
    assert.match(textAnswer(await say(channel(maria), 'requests', { mention: true })), /Only helpdesk technicians/);
  });

  it('raises a request nobody takes once more in its thread', async () => {
    const { activityId } = cardAnswer(await say(channel(kim), "help me with my device Kim & Lee's iPad #2", { mention: true }));
    const thread = `${HELPDESK};messageid=${activityId}`;
    const reminder = await world.connector.waitFor((a) => a.conversationId === thread && /Still waiting for a technician: Kim Lee/.test(a.body?.text ?? ''), 10_000);
    assert.match(reminder.body.text, /iPad \\#2 1 minute ago/, 'names shown as text, not markdown');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(world.connector.activities.filter((a) => a.conversationId === thread).length, 1, 'raised once');
  });
});

describe('help me with my device, from a personal chat', () => {
  it('posts the request to the helpdesk channel, gives the requester a copy, and tells them there when it is taken', async () => {
    const ivan = world.seed.users.find((u) => u.displayName === 'Иван Петров')!;
    const chat = { ...personal(ivan), locale: 'ru-RU', timeZone: 'Europe/Moscow' };
    const result = await say(chat, 'помоги с моим ноутбуком: батарея садится к обеду');
    const posted = await world.connector.waitFor((a) => a.kind === 'create' && a.conversationId.startsWith(`${HELPDESK};messageid=`));
    const card = posted.body.attachments[0].content;
    assertValidCard(card);
    // Written in Russian: the shared card is in the language of the person it is about.
    assert.match(JSON.stringify(card), /батарея садится к обеду/);
    assert.match(JSON.stringify(card), /Пользователю Иван Петров нужна помощь с устройством/);
    const copy = cardAnswer(result);
    assert.match(JSON.stringify(copy.card), /Ваша заявка по устройству Ноутбук-5 передана в службу поддержки/);

    const inChannel = world.chat({ conversationType: 'channel', conversationId: posted.conversationId, user: asUser(alex) });
    invokeCard(await click(inChannel, 'takeRequest', { sessionId: sessionIdOf(card) }, { replyToId: posted.activityId }));
    const told = await world.connector.waitFor((a) => a.conversationId === chat.conversationId && /Alex Tech берёт вашу заявку по устройству Ноутбук-5/.test(a.body?.text ?? ''));
    assert.match(told.body.text, /не принимайте его: он не от нас/);
    // His copy says who is helping too.
    await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === copy.activityId && /Alex Tech помогает пользователю Иван Петров/.test(JSON.stringify(a.body)));
  });
});

describe('requests as the admin configures them', () => {
  const restartWith = async (env: Record<string, string>) => {
    await world.bot.stop();
    world.bot = await startBot({ ...world.env, ...env });
  };

  it('says where to ask without a helpdesk channel, refuses when turned off or limited to a group', async () => {
    await restartWith({ HELPDESK_CHANNEL_ID: '' });
    assert.match(textAnswer(await say(personal(kim), 'help me with my device')), /made in the helpdesk channel/);
    await restartWith({ REQUESTS_ENABLED: 'false' });
    assert.match(textAnswer(await say(channel(kim), 'help me with my device', { mention: true })), /turned off here/);
    await restartWith({ REQUESTER_GROUP_ID: TECHNICIANS_GROUP_ID });
    assert.match(textAnswer(await say(channel(kim), 'help me with my device', { mention: true })), /can't make help requests/);
    assert.equal(world.graph.requests.filter((r) => /managedDevices/.test(r.url.pathname)).length, 0);
  });
});
