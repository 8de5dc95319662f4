// Past Intune's write budget (here 2 writes per 20 s): the turn answers at once with when the request will
// go; the request then goes on its own and the message becomes the session card. At shutdown a request
// still waiting is not made, and its technician is told to ask again; after a kill -9 too, by the next start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBot } from '../support/botProcess';
import { assertValidCard, inputs } from '../support/cardValidation';
import { say, type PostResult } from '../support/teams';
import { useWorld, type World } from '../support/world';

let world: World;
// Graph refuses a third write in 20 s as Intune would, so "no 429" below is Intune's verdict, not the bot's.
useWorld((w) => (world = w), { botEnv: { INTUNE_WRITES_PER_20S: '2' }, writeLimit: { writes: 2, windowMs: 20_000 } });

/** The bot's latest answer to this activity (a Teams retry carries the same id). */
const answerTo = (result: PostResult) => {
  const answer = world.connector.activities.filter((a) => a.replyToId === result.activity.id && a.body.type === 'message').at(-1);
  assert.ok(answer, 'the bot answered');
  return answer;
};

describe("Intune's write budget", () => {
  it('answers a request past the budget with when it will go, then makes it and turns the message into the session card; counted across instances', async () => {
    const chat = world.chat({ timeZone: 'UTC' });
    // A second instance on the same store: the budget is Intune's per app and tenant, not per instance.
    const other = await startBot(world.env);
    try {
      for (const [name, botUrl] of [['LAPTOP-42', world.bot.url], ['DESK 7', other.url]]) {
        assert.ok(answerTo(await say({ ...chat, botUrl }, `help me with device ${name}`)).body.attachments?.[0], `${name}: a card at once`);
      }
    } finally {
      await other.stop();
    }

    const waiting = await say(chat, "help me with device O'Brien-PC");
    const message = answerTo(waiting);
    assert.match(message.body.text, /budget for requests is used up for the moment, so I'll ask it for remote assistance on O'Brien-PC at .* \(in \d+ seconds\)/);
    assert.equal(world.graph.assistanceRequests.length, 2, 'nothing beyond the budget');
    assert.match(answerTo(await say(chat, "help me with device O'Brien-PC", { activityId: waiting.activity.id as string })).body.text, /already on it/, 'a Teams retry asks nothing more');

    const updated = await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === message.activityId, 25_000);
    const card = updated.body.attachments[0].content;
    assertValidCard(card);
    assert.match(JSON.stringify(card), /Intune asked O'Brien-PC for a session/);
    assert.ok(inputs(card).sessionType, 'the form, to log it');
    assert.equal(world.graph.assistanceRequests.length, 3);
    assert.ok(!world.graph.requests.some((r) => r.faulted === 429), 'no 429 from Intune');
    const [first, , third] = world.graph.requests.filter((r) => r.path.endsWith('/requestRemoteAssistance') && !r.faulted).map((r) => r.at);
    assert.ok(third - first >= 20_000, `two writes per 20 s: the third went ${third - first} ms after the first`);
  });

  it('does not make a waiting request when it stops first, and says to ask again', async () => {
    const chat = world.chat();
    // The budget is spent by the previous test for most of 20 s; fill what is left, then one more waits.
    let waiting: ReturnType<typeof answerTo> | undefined;
    for (const name of ['KIOSK-01', 'LOBBY-TABLET', 'ALEX-MBP']) {
      const answer = answerTo(await say(chat, `help me with device ${name}`));
      if (answer.body.text && /used up/.test(answer.body.text)) waiting = answer;
    }
    assert.ok(waiting, 'one request waits');
    const requested = world.graph.assistanceRequests.length;
    await world.bot.stop();
    const told = await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === waiting!.activityId);
    assert.match(told.body.text, /restarted before it could ask Intune, so nothing was requested/);
    assert.equal(world.graph.assistanceRequests.length, requested, 'never made');
    world.bot = await startBot(world.env);
  });

  it('tells the technician to ask again when the process is killed while a request waits, and never makes it', async () => {
    const chat = world.chat({ timeZone: 'UTC' });
    let waiting: ReturnType<typeof answerTo> | undefined;
    for (const name of ['LAPTOP-42', 'DESK 7', 'PIXEL-7-MS', 'ALEX-WS01']) {
      const answer = answerTo(await say(chat, `help me with device ${name}`));
      if (answer.body.text && /used up/.test(answer.body.text)) {
        waiting = answer;
        break;
      }
    }
    assert.ok(waiting, 'one request waits');
    const seconds = Number(/in (\d+) seconds?/.exec(waiting.body.text)![1]);
    const requested = world.graph.assistanceRequests.length;
    await world.bot.killGroup();
    world.bot = await startBot(world.env);
    const told = await world.connector.waitFor((a) => a.kind === 'update' && a.activityId === waiting!.activityId, 15_000);
    assert.match(told.body.text, /restarted before it could ask Intune, so nothing was requested/);
    const list = answerTo(await say({ ...chat, botUrl: world.bot.url }, 'sessions'));
    assert.doesNotMatch(JSON.stringify(list.body), /Waiting for Intune's budget/, 'no longer listed as waiting');
    // Past the time the request was to go: neither the new process nor anything else made it.
    await new Promise((resolve) => setTimeout(resolve, (seconds + 2) * 1000));
    assert.equal(world.graph.assistanceRequests.length, requested, 'never made');
  });
});
