import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { say, type PostResult } from '../support/teams';
import { waitFor } from '../support/wait';
import { useWorld, type World } from '../support/world';

let world: World;
useWorld((w) => (world = w));

const answerTo = (result: PostResult) =>
  world.connector.activities.filter((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message').map((a) => a.body.text ?? '').join('\n');
const cardText = (result: PostResult) =>
  JSON.stringify(world.connector.activities.filter((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message').map((a) => a.body.attachments ?? a.body.text));
const attemptsAt = (fragment: string) => world.graph.requests.filter((r) => r.url.pathname.includes(fragment)).length;

describe('Graph failures reach the technician as clear answers', () => {
  it('names the missing permission on 403', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 403 });
    const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
    assert.match(answer, /needs the Microsoft Graph permission DeviceManagementManagedDevices\.ReadWrite\.All/);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('names the read permission when the device lookup is refused', async () => {
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 403 });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /DeviceManagementManagedDevices\.Read\.All/);
  });

  it('says the device is gone on 404', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 404 });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /Intune no longer knows this device/);
  });

  it('retries a short 429 on its own, honouring Retry-After', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 429, retryAfterSec: 1 });
    const result = await say(world.chat(), 'help me with device LAPTOP-42');
    assert.equal(attemptsAt('requestRemoteAssistance'), 2);
    // A lower bound only (a slow machine makes it longer, never shorter): the second try waited as told.
    const [first, second] = world.graph.requests.filter((r) => r.url.pathname.includes('requestRemoteAssistance'));
    assert.ok(second.at - first.at >= 900, `asked again after ${second.at - first.at} ms, not before Retry-After`);
    assert.equal(world.graph.assistanceRequests.length, 1);
    assert.ok(world.connector.activities.some((a) => a.body?.replyToId === result.activity.id && a.body.attachments?.length));
  });

  it('does not sit out a long Retry-After: tells when to come back', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 429, retryAfterSec: 30, times: Infinity });
    const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
    assert.match(answer, /Intune is busy, try again in 30 seconds/);
    assert.equal(attemptsAt('requestRemoteAssistance'), 1);
  });

  for (const status of [503, 504]) {
    it(`retries a read answered ${status} a bounded number of times, then says Intune is busy`, async () => {
      world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status, times: Infinity, retryAfterSec: 1 });
      const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
      assert.match(answer, /Intune is busy, try again in 1 second/);
      assert.equal(world.graph.requests.filter((r) => r.url.pathname.endsWith('/managedDevices')).length, 3);
    });

    it(`does not repeat a request answered ${status}, which Intune may have carried out, and still offers the card`, async () => {
      world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status, times: Infinity, retryAfterSec: 1 });
      const result = await say(world.chat(), 'help me with device LAPTOP-42');
      assert.match(cardText(result), /Intune did not confirm the request, but it may have reached the device: wait a minute/);
      assert.equal(attemptsAt('requestRemoteAssistance'), 1);
    });
  }

  it('says Intune cannot be reached on 500 and on a reset connection', async () => {
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 500 });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /Intune can't be reached right now/);
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 500, reset: true });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /Intune can't be reached right now/);
  });

  it('says Intune is not answering when a read hangs, within the turn', async () => {
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 200, delayMs: 30_000 });
    const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
    assert.match(answer, /Intune is not answering\. Nothing was changed/);
    assert.equal(world.graph.assistanceRequests.length, 0);
  });

  it('keeps a request Intune did not confirm (it hung): a card to log it, no second prompt on a Teams retry', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 200, delayMs: 6_000 });
    const chat = world.chat();
    const first = await say(chat, 'help me with device LAPTOP-42');
    assert.match(cardText(first), /Intune did not confirm the request/);
    assert.match(cardText(first), /submitReport/);
    // Teams retries a turn it thinks timed out, with the same activity id.
    const answered = world.connector.activities.length;
    await say(chat, 'help me with device LAPTOP-42', { activityId: first.activity.id as string });
    const retryAnswer = JSON.stringify(world.connector.activities.slice(answered).map((a) => a.body));
    assert.match(retryAnswer, /already on it/);
    assert.doesNotMatch(retryAnswer, /submitReport/);
    await waitFor(() => world.graph.assistanceRequests.length === 1, 10_000, 'the hung request to be carried out');
    assert.equal(attemptsAt('requestRemoteAssistance'), 1, 'asked Intune once');
  });

  it('points the admin at the app registration on 401', async () => {
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 401, code: 'InvalidAuthenticationToken' });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /refused AssistDesk's sign-in/);
  });

  it('never shows Graph\'s own message or a stack trace', async () => {
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 400, code: 'BadRequest' });
    const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
    assert.match(answer, /Intune refused the request \(BadRequest\)/);
    assert.doesNotMatch(answer, /at .*\.js|Error:|request-id/);
  });
});
