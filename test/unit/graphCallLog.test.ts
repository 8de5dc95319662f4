import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, TelemetryHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { GraphCallLogHandler } from '../../src/graph/graphCallLog';
import { IntuneGraphService } from '../../src/graph/intuneGraphService';
import { WritePacer } from '../../src/graph/writePacer';
import { createLogger } from '../../src/log';
import { waitFor } from '../support/wait';

/** Stands in for the HTTP handler at the end of the chain: answers as `answer` says, and keeps what was sent. */
class FakeGraph implements Middleware {
  readonly sent: Array<{ url: string; headers: Record<string, string> }> = [];
  constructor(private readonly answer: (context: Context) => Promise<Response>) {}
  async execute(context: Context): Promise<void> {
    this.sent.push({ url: String(context.request), headers: { ...(context.options?.headers as Record<string, string>) } });
    context.response = await this.answer(context);
  }
}

function world(answer: (context: Context) => Promise<Response>, deadlineMs = 2000) {
  const records: Array<Record<string, unknown>> = [];
  const log = createLogger('info', { write: (line: string) => void records.push(JSON.parse(line)) });
  const fake = new FakeGraph(answer);
  const client = Client.initWithMiddleware({
    baseUrl: 'https://graph.example/',
    customHosts: new Set(['graph.example']),
    middleware: [new TelemetryHandler(), new GraphCallLogHandler(log), fake],
  });
  const graph = new IntuneGraphService(client, new WritePacer(200, 20_000), deadlineMs);
  return { graph, fake, records: () => records.filter((r) => r.msg === 'graph call') };
}

const DEVICE = { id: 'd-1', deviceName: 'LAPTOP-42' };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('one log record per Graph request', () => {
  it('names the operation, and carries the client-request-id it sent and the request-id Graph answered', async () => {
    const { graph, fake, records } = world(async (context) =>
      json(200, DEVICE, { 'request-id': 'graph-req-1', 'client-request-id': String((context.options?.headers as Record<string, string>)['client-request-id']) }));
    await graph.getDevice('d-1');
    const [record] = records();
    const sent = fake.sent[0].headers['client-request-id'];
    assert.match(sent, /^[0-9a-f-]{36}$/);
    assert.equal(record.operation, 'getDevice');
    assert.equal(record.method, 'GET');
    assert.equal(record.path, '/v1.0/deviceManagement/managedDevices/d-1');
    assert.equal(record.status, 200);
    assert.equal(record.requestId, 'graph-req-1');
    assert.equal(record.clientRequestId, sent);
    assert.equal(typeof record.durationMs, 'number');
    assert.equal(record.level, 30);
    assert.ok(!JSON.stringify(record).includes('$select'), 'no query at info level');
  });

  it('logs an error answer as a warning with its status and ids', async () => {
    const { graph, records } = world(async () => json(403, { error: { code: 'Forbidden', message: 'no' } }, { 'request-id': 'graph-req-2' }));
    await assert.rejects(graph.isMemberOf('u-1', 'g-1'));
    const [record] = records();
    assert.equal(record.operation, 'checkMemberGroups');
    assert.equal(record.status, 403);
    assert.equal(record.requestId, 'graph-req-2');
    assert.match(String(record.clientRequestId), /^[0-9a-f-]{36}$/);
    assert.equal(record.level, 40);
  });

  it('logs a request cut off by the deadline as a timeout, and a failed connection as network', async () => {
    const hanging = world((context) => new Promise((_, reject) => {
      context.options!.signal!.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    }), 30);
    await assert.rejects(hanging.graph.getDevice('d-1'), /timeout|Timeout/);
    // The abort reaches the request as the deadline fires; its record may follow the rejection.
    await waitFor(() => hanging.records().length > 0, 2000, 'the timeout record');
    assert.deepEqual(hanging.records().map((r) => [r.operation, r.status, r.requestId]), [['getDevice', 'timeout', undefined]]);

    const refused = world(async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    });
    await assert.rejects(refused.graph.getDevice('d-1'));
    const [record] = refused.records();
    assert.equal(record.status, 'network');
    assert.equal(record.error, 'TypeError ECONNREFUSED');
    assert.ok(!JSON.stringify(record).includes('fetch failed'), 'the error name and code, not its message');
  });
});
