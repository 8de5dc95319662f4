import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { say, type PostResult } from '../support/teams';
import { useWorld, type World } from '../support/world';

let world: World;
useWorld((w) => (world = w));

const answerTo = (result: PostResult) =>
  world.connector.activities.filter((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message').map((a) => a.body.text ?? '').join('\n');
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
    const started = Date.now();
    const result = await say(world.chat(), 'help me with device LAPTOP-42');
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.equal(attemptsAt('requestRemoteAssistance'), 2);
    assert.equal(world.graph.assistanceRequests.length, 1);
    assert.ok(world.connector.activities.some((a) => a.body?.replyToId === result.activity.id && a.body.attachments?.length));
  });

  it('does not sit out a long Retry-After: tells when to come back', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 429, retryAfterSec: 30, times: Infinity });
    const started = Date.now();
    const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
    assert.ok(Date.now() - started < 5_000, 'answered within the turn');
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

    it(`does not repeat a request answered ${status}, which Intune may have carried out`, async () => {
      world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status, times: Infinity, retryAfterSec: 1 });
      const answer = answerTo(await say(world.chat(), 'help me with device LAPTOP-42'));
      assert.match(answer, /Intune is busy, try again in 1 second/);
      assert.equal(attemptsAt('requestRemoteAssistance'), 1);
    });
  }

  it('says Intune cannot be reached on 500 and on a reset connection', async () => {
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 500 });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /Intune can't be reached right now/);
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 500, reset: true });
    assert.match(answerTo(await say(world.chat(), 'help me with device LAPTOP-42')), /Intune can't be reached right now/);
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
