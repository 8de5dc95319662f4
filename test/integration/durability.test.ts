import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../../src/store/azurite/embeddedAzurite';
import { startBot, type BotProcess } from '../support/botProcess';
import { filledInputs, startSession } from '../support/session';
import { StorageProxy } from '../support/storageProxy';
import { say } from '../support/teams';
import { waitFor } from '../support/wait';
import { startWorld, type World } from '../support/world';

let dataDir: string;
let azurite: EmbeddedAzurite;
const proxy = new StorageProxy();
let world: World;
const extraBots: BotProcess[] = [];

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'assistdesk-storage-'));
  azurite = await startEmbeddedAzurite({ dataDir });
  await proxy.start(azurite.connectionString);
  world = await startWorld({ storageConnectionString: proxy.connectionString });
});
after(async () => {
  await Promise.all(extraBots.map((b) => b.stop()));
  await world?.stop();
  await proxy.close();
  await azurite?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  world.graph.reset();
  world.connector.reset();
});

async function anotherBot(): Promise<BotProcess> {
  const bot = await startBot(world.env);
  extraBots.push(bot);
  return bot;
}

const reportIds = () => world.graph.reports.map((r) => (r as { id: string }).id);

describe('sessions and reports survive', () => {
  it('a kill -9 between the card and the submit', async () => {
    const bot = await anotherBot();
    const chat = world.chat({ botUrl: bot.url });
    const session = await startSession(world, chat);
    bot.child.kill('SIGKILL');
    await once(bot);

    // The same card, clicked after the crash, reaches another instance.
    const submitted = await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) }, { chat: { ...chat, botUrl: world.bot.url } });
    assert.match(JSON.stringify(submitted.body.value), /Sending the report…/);
    await session.updatedTo('Remote assistance session reported');
    assert.deepEqual(reportIds(), [session.sessionId]);
  });

  it('a kill -9 while reports are queued: every report is delivered after a restart', async () => {
    const bot = await anotherBot();
    // Graph refuses reports for now, so they wait in the outbox of the instance about to die.
    world.graph.fault({ method: 'POST', path: 'reportRemoteAssistance', status: 503, times: Infinity, retryAfterSec: 1 });
    const chat = world.chat({ botUrl: bot.url });
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await startSession(world, chat));
    // Only the dying instance may take them: stop the world's own worker from competing by taking it down too.
    await world.bot.stop();
    for (const s of sessions) await s.click('submitReport', { sessionId: s.sessionId, ...filledInputs(chat) });
    await waitFor(() => world.graph.requests.some((r) => r.url.pathname.endsWith('/reportRemoteAssistance')), 10_000, 'a first attempt');
    bot.child.kill('SIGKILL');
    await once(bot);
    world.graph.reset();

    const restarted = await anotherBot();
    await waitFor(() => world.graph.reports.length >= 5, 120_000, 'all five reports');
    assert.deepEqual(reportIds().sort(), sessions.map((s) => s.sessionId).sort());
    await restarted.stop();
    world.bot = await startBot(world.env);
  });

  it('two instances, the same card clicked on both: one report', async () => {
    const second = await anotherBot();
    const chat = world.chat();
    const session = await startSession(world, chat);
    const typed = { sessionId: session.sessionId, ...filledInputs(chat) };
    const results = await Promise.all([
      session.click('submitReport', typed),
      session.click('submitReport', typed, { chat: { ...chat, botUrl: second.url } }),
      session.click('submitReport', typed),
      session.click('submitReport', typed, { chat: { ...chat, botUrl: second.url } }),
    ]);
    assert.ok(results.every((r) => r.status === 200));
    await session.updatedTo('Remote assistance session reported');
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(reportIds(), [session.sessionId]);
  });

  it('Azurite stopped and started again: clear answers while it is down, nothing lost after', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    const typed = { sessionId: session.sessionId, ...filledInputs(chat) };

    proxy.cut();
    await azurite.stop();
    const submit = await session.click('submitReport', typed);
    assert.equal(submit.body.type, 'application/vnd.microsoft.activity.message');
    assert.match(submit.body.value, /couldn't save that just now/);
    const asked = await say(chat, 'sessions');
    const answer = world.connector.activities.find((a) => a.body?.replyToId === asked.activity.id && a.body.type === 'message');
    assert.match(answer?.body.text ?? '', /couldn't save that just now/);
    assert.equal((await fetch(`${world.bot.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${world.bot.url}/healthz`)).status, 200);

    azurite = await startEmbeddedAzurite({ dataDir });
    proxy.pointAt(azurite.connectionString);
    await waitFor(async () => (await fetch(`${world.bot.url}/readyz`)).status === 200, 15_000, 'ready again');
    // The session written before the outage is still there, and the retried submit goes through.
    const retried = await session.click('submitReport', typed);
    assert.match(JSON.stringify(retried.body.value), /Sending the report…/);
    await session.updatedTo('Remote assistance session reported');
    assert.deepEqual(reportIds(), [session.sessionId]);
  });
});

function once(bot: BotProcess): Promise<void> {
  return new Promise((resolve) => (bot.child.exitCode !== null || bot.child.signalCode !== null ? resolve() : bot.child.once('exit', () => resolve())));
}

