import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { after, before, describe, it } from 'node:test';
import { assertValidCard, executeActions, inputs } from '../support/cardValidation';
import { filledInputs, startSession } from '../support/session';
import { waitFor } from '../support/wait';
import { click, say, type TeamsChat } from '../support/teams';
import { startWorld, useWorld, type World } from '../support/world';

let world: World;
useWorld((w) => (world = w));

const cardText = (body: { value: unknown }) => JSON.stringify(body.value);
/** A session whose report Graph refused for good (403): its card shows the failure and a Retry button. */
async function sessionGraphRefused(chat: TeamsChat) {
  const session = await startSession(world, chat);
  world.graph.fault({ method: 'POST', path: 'reportRemoteAssistance', status: 403, times: 1 });
  await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
  const failed = (await session.updatedTo('The report was not accepted')).body.attachments[0].content;
  return { session, failed };
}

/** Lets the report worker run its course before checking that it sent nothing more. */
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('submitting the session card', () => {
  it('sends the full report as the authenticated technician and turns the card into a record', async () => {
    const chat = world.chat({ timeZone: 'America/Sao_Paulo' });
    const session = await startSession(world, chat);
    const { sessionId, prefilled } = session;
    const typed = filledInputs(chat, { sessionType: 'elevation', helperDeviceId: prefilled.helperDeviceId });
    // Identity fields a card might echo are ignored: the helper comes from the activity and Graph.
    const result = await session.click('submitReport', { sessionId, ...typed, helperEmail: 'mallory@evil.example', helperTenantId: 'other' });

    // The turn answers at once; the worker sends the report and updates the card in place.
    assert.equal(result.status, 200);
    assert.equal(result.body.type, 'application/vnd.microsoft.card.adaptive');
    assertValidCard(result.body.value);
    assert.ok(cardText(result.body).includes('Sending the report…'));
    assert.deepEqual(inputs(result.body.value), {});
    const update = await session.updatedTo('Remote assistance session reported');
    assert.equal(world.graph.reports.length, 1);
    const alex = world.seed.users[0];
    const laptop = world.seed.devices.find((d) => d.deviceName === 'LAPTOP-42')!;
    const maria = world.seed.users.find((u) => u.id === laptop.userId)!;
    const helperDevice = world.seed.devices.find((d) => d.id === prefilled.helperDeviceId)!;
    // One click: from the moment Intune was asked until the click, to the second, with São Paulo's offset.
    const sent = world.graph.reports[0] as Record<string, string>;
    const requested = world.graph.requests.find((r) => r.url.pathname.endsWith('/requestRemoteAssistance'))!.at;
    const clicked = world.graph.requests.find((r) => r.url.pathname.endsWith('/reportRemoteAssistance'))!.at;
    assert.match(sent.startDateTime, /-03:00$/);
    // Ordering only (the start is to the second): not before the request's second, not after the end.
    assert.ok(Date.parse(sent.startDateTime) >= requested - 1000 && Date.parse(sent.startDateTime) < Date.parse(sent.endDateTime), `start ${sent.startDateTime} is when Intune was asked`);
    // The end is the click rounded up to its second: no later than the second the report went out in.
    assert.ok(Date.parse(sent.endDateTime) <= Math.ceil(clicked / 1000) * 1000 && Date.parse(sent.endDateTime) > requested, `end ${sent.endDateTime} is the click`);
    assert.deepEqual(world.graph.reports[0], {
      '@odata.type': '#microsoft.graph.remoteAssistanceReporting',
      id: sessionId,
      startDateTime: sent.startDateTime,
      endDateTime: sent.endDateTime,
      remoteAssistanceSessionType: 'elevation',
      helperEmail: alex.mail,
      helperTenantId: world.seed.tenantId,
      helperFirstName: alex.givenName,
      helperLastName: alex.surname,
      helperOs: `${helperDevice.operatingSystem} ${helperDevice.osVersion}`,
      helperDeviceAadId: helperDevice.azureADDeviceId,
      helperDeviceName: helperDevice.deviceName,
      helperEnrollmentState: 'enrolled',
      sharerEmail: maria.mail,
      sharerTenantId: world.seed.tenantId,
      sharerFirstName: maria.givenName,
      sharerLastName: maria.surname,
      sharerDeviceAadId: laptop.azureADDeviceId,
      sharerDeviceName: 'LAPTOP-42',
      sharerOs: `Windows ${laptop.osVersion}`,
      sharerEnrollmentState: 'enrolled',
    });
    const lookedUp = world.graph.requests.filter((r) => r.method === 'GET' && r.url.pathname.startsWith('/v1.0/users/')).map((r) => r.url.pathname);
    assert.ok(lookedUp.includes(`/v1.0/users/${alex.id}`) && lookedUp.includes(`/v1.0/users/${maria.id}`));
    const report = world.graph.requests.find((r) => r.url.pathname === '/beta/deviceManagement/reportRemoteAssistance')!;
    assert.equal(report.method, 'POST');

    const record = update.body.attachments[0].content;
    assertValidCard(record);
    assert.deepEqual(inputs(record), {});
    assert.deepEqual(executeActions(record), []);
    for (const fact of ['Remote assistance session reported', 'Alex Tech', 'LAPTOP-42', 'Elevation', '0 min', 'Reported at']) assert.ok(JSON.stringify(record).includes(fact), fact);

    // The next card offers the type this technician used last, for one click.
    const next = await startSession(world, chat, 'DESK 7');
    assert.equal(next.prefilled.sessionType, 'elevation');
  });

  it('reports once however often the card is clicked, replayed or raced', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    const typed = { sessionId: session.sessionId, ...filledInputs(chat) };
    const [a, b] = await Promise.all([session.click('submitReport', typed), session.click('submitReport', typed)]);
    await session.updatedTo('Remote assistance session reported');
    const again = await session.click('submitReport', typed);
    const replay = await session.click('submitReport', typed, { activityId: a.activity.id as string });
    for (const r of [a, b, again, replay]) {
      assert.equal(r.status, 200);
      assert.equal(r.body.type, 'application/vnd.microsoft.card.adaptive');
    }
    // Whoever lost the race sees the true state: being sent, or already reported.
    assert.ok([a, b].every((r) => /Sending the report…|Remote assistance session reported/.test(cardText(r.body))));
    assert.ok(cardText(again.body).includes('Remote assistance session reported'));
    assert.ok(cardText(replay.body).includes('Remote assistance session reported'));
    await settle();
    assert.equal(world.graph.reports.length, 1);
  });

  it('keeps the inputs and shows what is wrong, then accepts the corrected card', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [filledInputs(chat, { endedMinutesAgo: '50' }), /The end must be after the start/],
      [filledInputs(chat, { lastedMinutes: String(60 * 30) }), /at most 24 hours/],
      [filledInputs(chat, { lastedMinutes: '45' }), /can't have started before Intune was asked/],
      [filledInputs(chat, { sessionType: 'unattended' }), /Choose a session type/],
      [filledInputs(chat, { endedMinutesAgo: 'ten' }), /how many minutes ago it ended/],
      [filledInputs(chat, { lastedMinutes: '-3' }), /how many minutes it lasted/],
      [filledInputs(chat, { helperDeviceId: world.seed.devices[3].id }), /Choose one of your devices/],
    ];
    for (const [typed, message] of cases) {
      const result = await click(chat, 'submitReport', { sessionId, ...typed });
      assert.equal(result.body.type, 'application/vnd.microsoft.card.adaptive');
      assertValidCard(result.body.value);
      assert.match(cardText(result.body), message);
      const kept = inputs(result.body.value);
      if (/^\d+$/.test(typed.endedMinutesAgo)) assert.equal(kept.endedMinutesAgo.value, Number(typed.endedMinutesAgo));
      if (/^\d+$/.test(typed.lastedMinutes)) assert.equal(kept.lastedMinutes.value, Number(typed.lastedMinutes));
      assert.equal(kept.sessionType.value, typed.sessionType);
      assert.equal(executeActions(result.body.value)[0].data.sessionId, sessionId);
    }
    assert.equal(world.graph.reports.length, 0);

    const fixed = await click(chat, 'submitReport', { sessionId, ...filledInputs(chat) });
    assert.ok(cardText(fixed.body).includes('Sending the report…'));
    await waitFor(() => world.graph.reports.length === 1);
  });

  it('cancels, and then reports nothing', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const cancelled = await click(chat, 'cancelSession', { sessionId });
    assertValidCard(cancelled.body.value);
    assert.ok(cardText(cancelled.body).includes('Remote assistance session cancelled'));
    const submit = await click(chat, 'submitReport', { sessionId, ...filledInputs(chat) });
    assert.ok(cardText(submit.body).includes('Remote assistance session cancelled'));
    await settle();
    assert.equal(world.graph.reports.length, 0);
  });

  it('refuses unknown, forged and foreign session ids with a message and sends nothing', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const typed = filledInputs(chat);
    const attempts = [
      await click(chat, 'submitReport', { sessionId: randomUUID(), ...typed }),
      await click(chat, 'submitReport', { sessionId: '../../etc/passwd', ...typed }),
      await click(chat, 'submitReport', { ...typed }),
      await click(world.chat(), 'submitReport', { sessionId, ...typed }),
      await click(chat, 'cancelSession', { sessionId: { $ne: null } }),
    ];
    for (const attempt of attempts) {
      assert.equal(attempt.status, 200);
      assert.equal(attempt.body.type, 'application/vnd.microsoft.activity.message');
      assert.match(attempt.body.value, /can't find this session/);
    }
    const stranger = world.chat({ conversationId: chat.conversationId, user: { id: '29:1stranger', aadObjectId: world.seed.users[2].id, name: 'José Ñúñez' } });
    const notYours = await click(stranger, 'submitReport', { sessionId, ...typed });
    assert.match(notYours.body.value, /belongs to Alex Tech/);
    assert.equal(world.graph.reports.length, 0);
    // The real owner can still report it.
    const mine = await click(chat, 'submitReport', { sessionId, ...typed });
    assert.ok(cardText(mine.body).includes('Sending the report…'));
    await waitFor(() => world.graph.reports.length === 1);
  });

  it('answers an unknown verb or a malformed invoke with an error, not a crash', async () => {
    const chat = world.chat();
    const unknown = await click(chat, 'formatDisk', { sessionId: randomUUID() });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.type, 'application/vnd.microsoft.error');
    const healthy = await fetch(`${world.bot.url}/healthz`);
    assert.equal(healthy.status, 200);
  });

  it('retries a throttled report in the background, with the same report id', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    world.graph.fault({ method: 'POST', path: 'reportRemoteAssistance', status: 429, times: 4, retryAfterSec: 1 });
    const sent = await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
    assert.ok(cardText(sent.body).includes('Sending the report…'));
    await session.updatedTo('Remote assistance session reported', 20_000);
    const attempts = world.graph.requests.filter((r) => r.url.pathname.endsWith('/reportRemoteAssistance'));
    assert.equal(attempts.length, 5);
    assert.ok(attempts.every((r) => (r.json as { reportingPayload: { id: string } }).reportingPayload.id === session.sessionId));
    assert.equal(world.graph.reports.length, 1);
  });

  it('marks a report Graph refuses for good as failed, with the reason and a Retry button that sends it again', async () => {
    const chat = world.chat();
    const { session, failed } = await sessionGraphRefused(chat);
    assertValidCard(failed);
    assert.match(JSON.stringify(failed), /needs the Microsoft Graph permission DeviceManagementServiceConfig\.Read\.All/);
    const [retry] = executeActions(failed);
    assert.equal(retry.verb, 'retryReport');
    assert.equal(world.graph.reports.length, 0);

    // "sessions" lists it as failed, with its own Retry button.
    const listed = await say(chat, 'my sessions');
    const list = world.connector.activities.find((a) => a.body?.replyToId === listed.activity.id && a.body.type === 'message')!.body.attachments[0].content;
    assertValidCard(list);
    assert.match(JSON.stringify(list), /Your recent sessions.*LAPTOP-42.*Report failed/);
    assert.deepEqual(executeActions(list).map((a) => [a.verb, a.data.sessionId]), [['retryReport', session.sessionId]]);

    const retried = await session.click('retryReport', retry.data);
    assert.ok(cardText(retried.body).includes('Sending the report…'));
    await session.updatedTo('Remote assistance session reported');
    assert.equal(world.graph.reports.length, 1);
    assert.equal((world.graph.reports[0] as { id: string }).id, session.sessionId);
    const relisted = await say(chat, 'sessions');
    const after = world.connector.activities.find((a) => a.body?.replyToId === relisted.activity.id && a.body.type === 'message')!.body.attachments[0].content;
    assert.match(JSON.stringify(after), /LAPTOP-42.*Reported/);
    assert.deepEqual(executeActions(after), []);
  });
});

describe('Retry from the sessions list', () => {
  it('works in another chat than the session\'s own: the list refreshes there, the session\'s own card shows the record', async () => {
    const chat = world.chat();
    const { session } = await sessionGraphRefused(chat);

    // The technician opens "sessions" in a group chat where they @mention the bot.
    const group = world.chat({ conversationId: `19:helpdesk-${randomUUID()}@thread.v2`, conversationType: 'groupChat' });
    const listed = await say(group, 'sessions', { mention: true });
    const listMessage = world.connector.activities.find((a) => a.body?.replyToId === listed.activity.id && a.body.type === 'message')!;
    const [retry] = executeActions(listMessage.body.attachments[0].content);
    assert.deepEqual([retry.verb, retry.data.sessionId, retry.data.from], ['retryReport', session.sessionId, 'list']);

    const clicked = await click(group, 'retryReport', retry.data, { replyToId: listMessage.activityId });
    assert.equal(clicked.status, 200);
    assert.match(cardText(clicked.body), /Your recent sessions/);
    assert.doesNotMatch(cardText(clicked.body), /can't find this session/);
    await session.updatedTo('Remote assistance session reported');
    assert.deepEqual(world.graph.reports.map((r) => (r as { id: string }).id), [session.sessionId]);
  });

  it('still refuses another technician\'s session, from any chat', async () => {
    const chat = world.chat();
    const { session } = await sessionGraphRefused(chat);
    const other = world.seed.users[1];
    const colleague = world.chat({ user: { id: `29:1${other.id}`, aadObjectId: other.id, name: other.displayName! } });
    const clicked = await click(colleague, 'retryReport', { sessionId: session.sessionId, from: 'list' });
    assert.doesNotMatch(cardText(clicked.body), /Sending the report…|Your recent sessions/);
    await settle();
    assert.equal(world.graph.reports.length, 0);
  });
});

describe('the legacy 18-property report', () => {
  let legacy: World;
  before(async () => (legacy = await startWorld({ botEnv: { REPORT_PAYLOAD: 'legacy' }, reportPayloadVersion: 18 })));
  after(async () => legacy?.stop());

  it('omits helperOs and sharerOs when REPORT_PAYLOAD=legacy', async () => {
    const chat = legacy.chat();
    const { sessionId } = await startSession(legacy, chat);
    const result = await click(chat, 'submitReport', { sessionId, ...filledInputs(chat) });
    assert.ok(cardText(result.body).includes('Sending the report…'));
    await waitFor(() => legacy.graph.reports.length === 1);
    const [report] = legacy.graph.reports as Array<Record<string, unknown>>;
    assert.equal(Object.keys(report).length, 19); // 18 properties and @odata.type
    assert.ok(!('helperOs' in report) && !('sharerOs' in report));
  });
});
