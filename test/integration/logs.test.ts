// What an admin follows in the bot's log: every record of a turn carries the turn's activity and conversation
// (and its session once known), and every Graph call is one record with Graph's request-id and our
// client-request-id, on success and on failure. The bot runs as a child process against the emulators.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedRequest } from '../emulators/recorder';
import { filledInputs, startSession } from '../support/session';
import { say } from '../support/teams';
import { waitFor } from '../support/wait';
import { useWorld, type World } from '../support/world';

let world: World;
useWorld((w) => (world = w));

type LogRecord = Record<string, unknown>;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const graphCalls = (records: LogRecord[]) => records.filter((r) => r.msg === 'graph call');
/** The records written since `from` (an index into the bot's records). */
const since = (from: number) => world.bot.logs().slice(from);
const graphRequests = () => world.graph.requests.filter((r) => r.url.pathname.startsWith('/v1.0/') || r.url.pathname.startsWith('/beta/'));

/** The one call record for a request the Graph emulator received, found by the client-request-id it carried. */
function recordFor(calls: LogRecord[], request: RecordedRequest): LogRecord {
  const clientRequestId = request.headers['client-request-id'];
  assert.match(String(clientRequestId), GUID, `${request.method} ${request.url.pathname} carried no client-request-id GUID`);
  const matching = calls.filter((c) => c.clientRequestId === clientRequestId);
  assert.equal(matching.length, 1, `one record for ${request.method} ${request.url.pathname}, found ${matching.length}`);
  return matching[0];
}

describe('the log an admin follows', () => {
  it('logs each Graph call of a help turn once, with its ids, and ties every record of the turn to it', async () => {
    const from = world.bot.logs().length;
    const chat = world.chat();
    const result = await say(chat, 'help me with device LAPTOP-42');
    assert.equal(result.status, 200);
    const requests = graphRequests();
    assert.ok(requests.length >= 2, `the turn asked Graph ${requests.length} time(s)`);
    // The log comes through a pipe, written asynchronously: wait for the turn's last record.
    await waitFor(() => since(from).some((r) => r.msg === 'remote assistance requested'), 5000, 'the turn\'s records');
    const records = since(from);
    const calls = graphCalls(records);
    assert.equal(calls.length, requests.length, 'exactly one record per Graph request');
    for (const request of requests) {
      const call = recordFor(calls, request);
      assert.equal(call.requestId, request.answeredRequestId, 'Graph\'s request-id as it answered');
      assert.equal(call.method, request.method);
      assert.equal(call.path, request.url.pathname);
      assert.equal(typeof call.durationMs, 'number');
      assert.ok([200, 204].includes(call.status as number), `status ${call.status}`);
      assert.equal(call.activityId, result.activity.id);
      assert.equal(call.conversationId, chat.conversationId);
    }
    const operations = calls.map((c) => c.operation);
    assert.ok(operations.includes('findDevices'), `operations: ${operations}`);
    assert.ok(operations.includes('requestRemoteAssistance'), `operations: ${operations}`);
    // No query (a $filter naming a device or a person) at info level: only in the debug record as a request leaves.
    assert.ok(calls.every((c) => c.level === 30 && !('query' in c)));
    const findQuery = records.find((r) => r.msg === 'graph request' && r.operation === 'findDevices');
    assert.equal(findQuery?.level, 20);
    assert.match(String(findQuery?.query), /deviceName eq 'LAPTOP-42'/);

    // Every record written during the turn carries it; the ones after the session exists carry it too.
    const turn = records.filter((r) => r.activityId === result.activity.id);
    assert.ok(turn.length > calls.length, `more than the Graph records belong to the turn: ${JSON.stringify(records.map((r) => [r.msg, r.activityId]))}`);
    assert.ok(turn.every((r) => r.conversationId === chat.conversationId));
    const requested = records.find((r) => r.msg === 'remote assistance requested');
    assert.ok(requested, 'the request was logged');
    assert.equal(requested.activityId, result.activity.id);
    assert.match(String(requested.sessionId), GUID);
  });

  it('logs a Graph error with both ids and the status, and a reset connection as network', async () => {
    world.graph.fault({ method: 'POST', path: 'requestRemoteAssistance', status: 403 });
    let from = world.bot.logs().length;
    await say(world.chat(), 'help me with device LAPTOP-42');
    const refused = graphRequests().find((r) => r.url.pathname.endsWith('/requestRemoteAssistance'));
    assert.ok(refused?.answeredRequestId);
    await waitFor(() => graphCalls(since(from)).some((c) => c.status === 403), 5000, 'the 403 record');
    const call = recordFor(graphCalls(since(from)), refused);
    assert.equal(call.status, 403);
    assert.equal(call.operation, 'requestRemoteAssistance');
    assert.equal(call.requestId, refused.answeredRequestId);
    assert.equal(call.level, 40, 'a failed call is a warning');

    world.graph.reset();
    world.graph.fault({ method: 'GET', path: '/deviceManagement/managedDevices', status: 500, reset: true });
    from = world.bot.logs().length;
    await say(world.chat(), 'help me with device LAPTOP-42');
    const reset = graphRequests()[0];
    await waitFor(() => graphCalls(since(from)).some((c) => c.status === 'network'), 5000, 'the network record');
    const lost = recordFor(graphCalls(since(from)), reset);
    assert.equal(lost.status, 'network');
    assert.equal(lost.operation, 'findDevices');
    assert.equal(lost.requestId, undefined, 'no answer, so no request-id');
  });

  it('ties a card click to the session it is about', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    const from = world.bot.logs().length;
    const click = await session.click('cancelSession', { sessionId: session.sessionId });
    assert.equal(click.status, 200);
    await waitFor(() => since(from).some((r) => r.msg === 'session cancelled'), 5000, 'the cancellation record');
    const clickRecords = since(from).filter((r) => r.activityId === click.activity.id);
    assert.ok(clickRecords.length > 0, 'the click wrote records');
    assert.ok(clickRecords.every((r) => r.sessionId === session.sessionId && r.conversationId === chat.conversationId), 'each names the session clicked');
  });

  it('ties the report worker\'s Graph calls to the session it delivers, not to the turn that queued it', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    const from = world.bot.logs().length;
    world.graph.reset();
    const click = await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
    assert.equal(click.status, 200);
    await waitFor(() => graphCalls(since(from)).some((c) => c.operation === 'reportRemoteAssistance'), 10_000, 'the report call');
    const records = since(from);
    const report = graphCalls(records).find((c) => c.operation === 'reportRemoteAssistance')!;
    assert.equal(report.sessionId, session.sessionId);
    assert.equal(report.activityId, undefined);
    assert.equal(report.status, 204);
    assert.match(String(report.requestId), GUID);
    assert.equal(report.requestId, graphRequests().find((r) => r.url.pathname.endsWith('/reportRemoteAssistance'))?.answeredRequestId);
  });
});
