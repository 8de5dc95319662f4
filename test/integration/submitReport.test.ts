import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertValidCard, executeActions, inputs } from '../unit/cardValidation';
import { filledInputs, startSession } from '../support/session';
import { click } from '../support/teams';
import { startWorld, type World } from '../support/world';

let world: World;
before(async () => (world = await startWorld()));
after(async () => world?.stop());
beforeEach(() => {
  world.graph.reset();
  world.connector.reset();
});

const cardText = (body: { value: unknown }) => JSON.stringify(body.value);

describe('submitting the session card', () => {
  it('sends the full report as the authenticated technician and turns the card into a record', async () => {
    const chat = world.chat({ timeZone: 'America/Sao_Paulo' });
    const { sessionId, prefilled } = await startSession(world, chat);
    const typed = filledInputs(chat, { sessionType: 'elevation', helperDeviceId: prefilled.helperDeviceId });
    // Identity fields a card might echo are ignored: the helper comes from the activity and Graph.
    const result = await click(chat, 'submitReport', { sessionId, ...typed, helperEmail: 'mallory@evil.example', helperTenantId: 'other' });

    assert.equal(result.status, 200);
    assert.equal(world.graph.reports.length, 1);
    const alex = world.seed.users[0];
    const laptop = world.seed.devices.find((d) => d.deviceName === 'LAPTOP-42')!;
    const maria = world.seed.users.find((u) => u.id === laptop.userId)!;
    const helperDevice = world.seed.devices.find((d) => d.id === prefilled.helperDeviceId)!;
    const offset = DateTime.now().setZone('America/Sao_Paulo').toFormat('ZZ');
    assert.deepEqual(world.graph.reports[0], {
      '@odata.type': '#microsoft.graph.remoteAssistanceReporting',
      id: sessionId,
      startDateTime: `${typed.startDate}T${typed.startTime}:00${offset}`,
      endDateTime: `${typed.endDate}T${typed.endTime}:00${offset}`,
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

    assert.equal(result.body.type, 'application/vnd.microsoft.card.adaptive');
    const record = result.body.value;
    assertValidCard(record);
    assert.deepEqual(inputs(record), {});
    assert.deepEqual(executeActions(record), []);
    for (const fact of ['Remote assistance session reported', 'Alex Tech', 'LAPTOP-42', 'Elevation', '45 min', 'Reported at']) assert.ok(cardText(result.body).includes(fact), fact);
  });

  it('reports once however often the card is clicked, replayed or raced', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const typed = { sessionId, ...filledInputs(chat) };
    const [a, b] = await Promise.all([click(chat, 'submitReport', typed), click(chat, 'submitReport', typed)]);
    const again = await click(chat, 'submitReport', typed);
    const replay = await click(chat, 'submitReport', typed, { activityId: a.activity.id as string });
    assert.equal(world.graph.reports.length, 1);
    for (const r of [a, b, again, replay]) {
      assert.equal(r.status, 200);
      assert.equal(r.body.type, 'application/vnd.microsoft.card.adaptive');
    }
    // Whoever lost the race sees the true state: reported (or, mid-flight, being sent).
    assert.ok(cardText(again.body).includes('Remote assistance session reported'));
    assert.ok(cardText(replay.body).includes('Remote assistance session reported'));
    assert.ok([a, b].some((r) => cardText(r.body).includes('Remote assistance session reported')));
  });

  it('keeps the inputs and shows what is wrong, then accepts the corrected card', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [filledInputs(chat, {}, 5, 50), /The end must be after the start/],
      [filledInputs(chat, {}, 60 * 30, 5), /at most 24 hours/],
      [filledInputs(chat, { sessionType: 'unattended' }), /Choose a session type/],
      [filledInputs(chat, { startTime: '7 o\'clock' }), /valid start date and time/],
      [filledInputs(chat, { helperDeviceId: world.seed.devices[3].id }), /Choose one of your devices/],
    ];
    for (const [typed, message] of cases) {
      const result = await click(chat, 'submitReport', { sessionId, ...typed });
      assert.equal(result.body.type, 'application/vnd.microsoft.card.adaptive');
      assertValidCard(result.body.value);
      assert.match(cardText(result.body), message);
      const kept = inputs(result.body.value);
      assert.equal(kept.endTime.value, typed.endTime);
      assert.equal(kept.sessionType.value, typed.sessionType);
      assert.equal(executeActions(result.body.value)[0].data.sessionId, sessionId);
    }
    assert.equal(world.graph.reports.length, 0);

    const fixed = await click(chat, 'submitReport', { sessionId, ...filledInputs(chat) });
    assert.ok(cardText(fixed.body).includes('Remote assistance session reported'));
    assert.equal(world.graph.reports.length, 1);
  });

  it('cancels, and then reports nothing', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const cancelled = await click(chat, 'cancelSession', { sessionId });
    assertValidCard(cancelled.body.value);
    assert.ok(cardText(cancelled.body).includes('Remote assistance session cancelled'));
    const submit = await click(chat, 'submitReport', { sessionId, ...filledInputs(chat) });
    assert.ok(cardText(submit.body).includes('Remote assistance session cancelled'));
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
    assert.ok(cardText(mine.body).includes('Remote assistance session reported'));
  });

  it('answers an unknown verb or a malformed invoke with an error, not a crash', async () => {
    const chat = world.chat();
    const unknown = await click(chat, 'formatDisk', { sessionId: randomUUID() });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.type, 'application/vnd.microsoft.error');
    const healthy = await fetch(`${world.bot.url}/healthz`);
    assert.equal(healthy.status, 200);
  });

  it('keeps the card open with a clear notice when Graph will not take the report, and sends it on retry', async () => {
    const chat = world.chat();
    const { sessionId } = await startSession(world, chat);
    const typed = { sessionId, ...filledInputs(chat) };
    world.graph.fault({ method: 'POST', path: 'reportRemoteAssistance', status: 503, times: Infinity, retryAfterSec: 1 });
    const failed = await click(chat, 'submitReport', typed);
    assert.match(cardText(failed.body), /Intune is busy, try again in 1 second/);
    assert.equal(inputs(failed.body.value).endTime.value, typed.endTime);
    assert.equal(world.graph.reports.length, 0);

    world.graph.reset();
    const retried = await click(chat, 'submitReport', typed);
    assert.ok(cardText(retried.body).includes('Remote assistance session reported'));
    assert.equal(world.graph.reports.length, 1);
    assert.equal((world.graph.reports[0] as { id: string }).id, sessionId);
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
    assert.ok(cardText(result.body).includes('Remote assistance session reported'));
    const [report] = legacy.graph.reports as Array<Record<string, unknown>>;
    assert.equal(Object.keys(report).length, 19); // 18 properties and @odata.type
    assert.ok(!('helperOs' in report) && !('sharerOs' in report));
  });
});
