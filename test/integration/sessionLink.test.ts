// After a request the bot watches the device for Intune's session link or error, outside the turn, and
// updates the live card in place once: over HTTP, as Teams and Graph speak, with the bot as a process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityRecord } from '../emulators/connector';
import { assertValidCard, executeActions, inputs, openUrlActions } from '../support/cardValidation';
import { filledInputs, startSession, type StartedSession } from '../support/session';
import { click, say } from '../support/teams';
import { waitFor } from '../support/wait';
import { useWorld, type World } from '../support/world';

let world: World;
// Six seconds stand in for the three minutes of production: looks at 1 s and 3 s, the next (7 s) is past it.
useWorld((w) => (world = w), { botEnv: { SESSION_LINK_WAIT_SEC: '6' } });

const SELECT = 'remoteAssistanceSessionUrl,remoteAssistanceSessionErrorDetails';
const deviceId = (name: string) => world.seed.devices.find((d) => d.deviceName === name)!.id;
/** The bot's looks at a device's session properties: single GETs that select them, as Intune requires. */
const looksAt = (id: string) =>
  world.graph.requests.filter((r) => r.method === 'GET' && r.url.pathname === `/v1.0/deviceManagement/managedDevices/${id}` && r.url.searchParams.get('$select') === SELECT);
const updatesOf = (cardActivityId: string) => world.connector.activities.filter((a) => a.kind === 'update' && a.activityId === cardActivityId);
const cardIn = (record: ActivityRecord) => record.body.attachments[0].content as Record<string, unknown>;
const logged = (msg: string) => world.bot.logs().filter((l) => l.msg === msg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const intunePage = (id: string) => `https://intune.microsoft.com/#view/Microsoft_Intune_Devices/DeviceSettingsMenuBlade/~/overview/mdmDeviceId/${id}`;

/** Waits until the bot has stopped watching this session at the end of the wait. */
async function waitOver(session: StartedSession): Promise<void> {
  const msg = 'no session link from Intune in time: stopped watching';
  await waitFor(() => logged(msg).some((l) => l.sessionId === session.sessionId), 12_000, msg);
}

describe('the session link on the card', () => {
  it('puts "Open in Intune" on the card, then "Open session" in place, once, as soon as Intune gives the link', async () => {
    const chat = world.chat();
    const laptop = deviceId('LAPTOP-42');
    const session = await startSession(world, chat);
    assert.deepEqual(openUrlActions(session.card), [{ title: 'Open in Intune', url: intunePage(laptop) }]);

    const update = await session.updatedTo('Open session', 6000);
    const card = cardIn(update);
    assertValidCard(card);
    assert.deepEqual(openUrlActions(card), [
      { title: 'Open session', url: `https://remoteassistance.example.invalid/session/${laptop}` },
      { title: 'Open in Intune', url: intunePage(laptop) },
    ]);
    // The same form, with the same prefilled values: nothing to redo for a technician who has not typed yet.
    assert.deepEqual(executeActions(card).map((a) => [a.verb, a.data.sessionId]), [['submitReport', session.sessionId], ['cancelSession', session.sessionId]]);
    assert.deepEqual(Object.fromEntries(Object.entries(inputs(card)).map(([id, input]) => [id, String(input.value ?? '')])), session.prefilled);
    assert.equal(update.conversationId, chat.conversationId);

    // The turn answered before anything was looked at: the first look comes a second after the card.
    const posted = world.connector.activities.find((a) => a.activityId === session.cardActivityId && a.kind !== 'update')!;
    const [first] = looksAt(laptop);
    assert.ok(first.at - posted.at >= 900, `first look ${first.at - posted.at} ms after the card`);

    await sleep(2500);
    assert.equal(updatesOf(session.cardActivityId).length, 1, 'updated once');
    assert.equal(looksAt(laptop).length, 1, 'no look after the link was shown');

    // The form still logs the session, link and all.
    const submitted = await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
    assert.match(JSON.stringify(submitted.body.value), /Sending the report…/);
    await session.updatedTo('Remote assistance session reported');
  });

  it('looks again with growing pauses while Intune has no link yet', async () => {
    const laptop = deviceId('LAPTOP-42');
    world.graph.assistanceOutcome(laptop, { afterMs: 1500, sessionUrl: 'https://start.teamviewer.example/m/42' });
    const session = await startSession(world, world.chat());
    const card = cardIn(await session.updatedTo('Open session', 8000));
    assert.equal(openUrlActions(card)[0].url, 'https://start.teamviewer.example/m/42');
    const [first, second] = looksAt(laptop);
    assert.equal(looksAt(laptop).length, 2);
    assert.ok(second.at - first.at >= 1900, `second look ${second.at - first.at} ms after the first`);
  });

  it("shows Intune's error in plain words, escaped, and no Open session", async () => {
    const laptop = deviceId('LAPTOP-42');
    world.graph.assistanceOutcome(laptop, { sessionUrl: '', errorDetails: 'The *TeamViewer* connector is [not onboarded](https://evil.example)\n# Call 555' });
    const session = await startSession(world, world.chat());
    const card = cardIn(await session.updatedTo("Intune couldn't set up the session", 6000));
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.ok(text.includes(JSON.stringify('It said: The \\*TeamViewer\\* connector is \\[not onboarded\\]\\(https://evil.example\\) \\# Call 555').slice(1, -1)), text);
    assert.ok(!text.includes('[not onboarded](https'), 'no live link');
    assert.deepEqual(openUrlActions(card), [{ title: 'Open in Intune', url: intunePage(laptop) }]);
  });

  it('offers no button for a link that is not https, says why, and logs it', async () => {
    const laptop = deviceId('LAPTOP-42');
    world.graph.assistanceOutcome(laptop, { sessionUrl: 'http://remoteassistance.example.invalid/session/plain' });
    const session = await startSession(world, world.chat());
    const card = cardIn(await session.updatedTo("isn't a secure (https) address", 6000));
    assertValidCard(card);
    assert.deepEqual(openUrlActions(card).map((a) => a.title), ['Open in Intune']);
    assert.ok(!JSON.stringify(card).includes('http://remoteassistance'), 'the link is not on the card');
    // The bot's log reaches us through a pipe, written asynchronously: the card update may come first.
    const refused = 'Intune gave a session link that is not a plain https URL: not offered';
    await waitFor(() => logged(refused).length > 0, 5000, 'the warning in the log');
    const [warning] = logged(refused);
    assert.equal(warning?.sessionId, session.sessionId);
    assert.equal(warning?.reason, 'scheme http:');
  });

  it('never turns a card the technician submitted back into a form', async () => {
    const chat = world.chat();
    const laptop = deviceId('LAPTOP-42');
    world.graph.assistanceOutcome(laptop, { afterMs: 2500, sessionUrl: 'https://start.teamviewer.example/m/late' });
    const session = await startSession(world, chat);
    await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
    await session.updatedTo('Remote assistance session reported');
    await sleep(4000); // past the moment the link appeared, and the looks that would have found it
    const updates = updatesOf(session.cardActivityId);
    assert.ok(updates.every((u) => executeActions(cardIn(u)).length === 0), 'only records replaced the card');
    assert.ok(!updates.some((u) => JSON.stringify(u.body).includes('Open session')));
    assert.ok(looksAt(laptop).length <= 1, 'Graph is not asked about a submitted session');
  });

  it('updates the card that a device pick replaced', async () => {
    const chat = world.chat();
    const choice = await say(chat, 'help me with device KIOSK-01');
    const posted = world.connector.activities.find((a) => a.body?.replyToId === choice.activity.id && a.body.type === 'message')!;
    const pick = executeActions(posted.body.attachments[0].content)[1];
    const picked = await click(chat, 'pickDevice', pick.data, { replyToId: posted.activityId });
    assert.equal(openUrlActions(picked.body.value)[0]?.title, 'Open in Intune');
    const update = await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === posted.activityId && JSON.stringify(a.body).includes('Open session'), 6000);
    assert.equal(openUrlActions(cardIn(update))[0].url, `https://remoteassistance.example.invalid/session/${pick.data.deviceId}`);
  });

  it('keeps looking, within the wait, while Graph fails, and logs it; the card still works', async () => {
    const chat = world.chat();
    const laptop = deviceId('LAPTOP-42');
    world.graph.fault({ method: 'GET', path: new RegExp(`/managedDevices/${laptop}$`), status: 503, times: Infinity });
    const session = await startSession(world, chat);
    await waitOver(session);
    const looks = looksAt(laptop);
    assert.ok(looks.length >= 2 && looks.length <= 3, `${looks.length} looks in 6 s`);
    assert.ok(looks.every((r) => r.faulted === 503));
    assert.ok(logged('Intune did not say whether the session has a link; will look again').filter((l) => l.sessionId === session.sessionId).length >= 2);
    assert.deepEqual(updatesOf(session.cardActivityId), []);
    assert.equal((await fetch(`${world.bot.url}/healthz`)).status, 200);
    world.graph.reset();
    await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
    await session.updatedTo('Remote assistance session reported');
  });

  it('gives a silent Graph up at the look\'s deadline, and stops at the end of the wait', async () => {
    const laptop = deviceId('LAPTOP-42');
    world.graph.fault({ method: 'GET', path: new RegExp(`/managedDevices/${laptop}$`), hangMs: 8000, times: Infinity });
    const session = await startSession(world, world.chat());
    await waitOver(session);
    const silent = logged('Intune did not say whether the session has a link; will look again').filter((l) => l.sessionId === session.sessionId);
    assert.deepEqual(silent.map((l) => l.kind), ['timeout']);
    assert.equal(looksAt(laptop).length, 1, 'one look, held for its whole deadline');
    assert.deepEqual(updatesOf(session.cardActivityId), []);
    await world.graph.idle();
  });

  // Last: it stops the bot.
  it('stops watching when the process stops, without holding up the shutdown', async () => {
    const laptop = deviceId('LAPTOP-42');
    world.graph.assistanceOutcome(laptop, { sessionUrl: '', errorDetails: '' });
    await startSession(world, world.chat());
    await waitFor(() => looksAt(laptop).length === 1, 5000, 'the first look');
    const stopping = Date.now();
    assert.equal(await world.bot.stop(), 0);
    assert.ok(Date.now() - stopping < 3000, `SIGTERM took ${Date.now() - stopping} ms`);
    await sleep(2500);
    assert.equal(looksAt(laptop).length, 1, 'no look after the process stopped');
  });
});
