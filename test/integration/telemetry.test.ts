// Traces and metrics as the bot exports them, received on loopback: an OTLP/HTTP collector, and Application
// Insights' ingestion endpoint (live metrics off, statsbeat off). The bot is the child process `npm start`
// runs; nothing is decoded by our own code but JSON (and gzip).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TECHNICIANS_GROUP_ID } from '../emulators/seed';
import type { RecordedRequest } from '../emulators/recorder';
import { makeLoopbackTlsAsync } from '../emulators/tls';
import { ROOT, startBot } from '../support/botProcess';
import { filledInputs, startSession } from '../support/session';
import { IngestionReceiver, OtlpReceiver, attributesOf, type Envelope, type OtlpSpan } from '../support/telemetryReceivers';
import { startWorld, type World } from '../support/world';

const CONNECTION_LOG = path.join(ROOT, 'test/support/connectionLog.cjs');
const SERVER = 2, CLIENT = 3;
const IKEY = '00000000-0000-4000-8000-000000000001';
/** Azure's instance metadata service: the distro's VM resource detector asks it once at start, unconditionally. */
const IMDS = '169.254.169.254';

/** The Graph requests the emulator served for one turn: method and path, as a span's attributes name them. */
const graphCallsOf = (requests: RecordedRequest[]) => requests.map((r) => `${r.method} ${r.url.pathname}`).sort();

/** A help turn ("help me with device …") and the submit of its card, up to the report being delivered. */
async function helpTurnAndSubmit(world: World) {
  const chat = world.chat();
  const session = await startSession(world, chat);
  const turnCalls = [...world.graph.requests];
  await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
  await session.updatedTo('Remote assistance session reported');
  const reportCalls = world.graph.requests.slice(turnCalls.length);
  // SIGTERM: the bot flushes its spans and metrics before it exits.
  assert.equal(await world.bot.stop(), 0);
  return { turnCalls, reportCalls };
}

describe('telemetry to an OTLP/HTTP collector', () => {
  const collector = new OtlpReceiver();
  let world: World;
  let turnCalls: RecordedRequest[], reportCalls: RecordedRequest[];
  before(async () => {
    await collector.start();
    world = await startWorld({ botEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`, TECHNICIAN_GROUP_ID: TECHNICIANS_GROUP_ID } });
    ({ turnCalls, reportCalls } = await helpTurnAndSubmit(world));
  });
  after(async () => {
    await world?.stop();
    await collector.stop();
  });

  it('gets one trace for a help turn: the request, the turn, a span per Graph call and per store write', () => {
    const spans = collector.spans();
    const turn = spans.find((s) => s.name === 'turn assist');
    assert.ok(turn, `no turn span among ${spans.map((s) => s.name).join(', ')}`);
    const trace = spans.filter((s) => s.traceId === turn.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    // The incoming POST is the root; the turn is its child; everything else descends from the turn.
    const root = trace.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
    assert.deepEqual(root.map((s) => [s.name, s.kind]), [['POST /api/messages', SERVER]]);
    assert.equal(turn.parentSpanId, root[0].spanId);
    const underTurn = (s: OtlpSpan): boolean => s.parentSpanId === turn.spanId || (byId.has(s.parentSpanId!) && underTurn(byId.get(s.parentSpanId!)!));
    assert.ok(trace.filter((s) => s !== root[0] && s !== turn).every(underTurn));
    assert.equal(attributesOf(turn.attributes)['assistdesk.turn.outcome'], 'ok');

    // Exactly the Graph requests the emulator saw during the turn, each with its status.
    const graphSpans = trace.filter((s) => s.name.startsWith('Graph '));
    const described = graphSpans.map((s) => attributesOf(s.attributes));
    assert.ok(turnCalls.length >= 3, 'the turn asked Graph for group membership, the device and the request');
    assert.deepEqual(described.map((a) => `${a['http.request.method']} ${new URL(String(a['url.full'])).pathname}`).sort(), graphCallsOf(turnCalls));
    const operations = new Set(described.map((a) => a['graph.operation']));
    for (const operation of ['checkMemberGroups', 'findDevices', 'requestRemoteAssistance']) assert.ok(operations.has(operation), `${operation} not among ${[...operations].join(', ')}`);
    assert.ok(described.every((a) => a['http.response.status_code'] === 200 || a['http.response.status_code'] === 204), JSON.stringify(described));
    assert.ok(graphSpans.every((s) => s.kind === CLIENT));
    // The query stays out of the span: it carries the device name the technician typed.
    assert.ok(described.every((a) => !String(a['url.full']).includes('LAPTOP-42')));
    // Nor does the HTTP instrumentation repeat a Graph request in a span of its own, query and all.
    const graphPort = new URL(world.graph.baseUrl).port;
    const repeats = trace.filter((s) => !s.name.startsWith('Graph ') && JSON.stringify(s.attributes).includes(`:${graphPort}`));
    assert.deepEqual(repeats.map((s) => s.name), []);
    assert.ok(!JSON.stringify(trace).includes('LAPTOP-42'), 'the device name is in no span');

    // The session the turn created, and the claim that keeps Teams' retry from asking Intune twice.
    const storeWrites = trace.filter((s) => s.name.startsWith('store ')).map((s) => s.name);
    assert.ok(storeWrites.includes('store sessions.create'), storeWrites.join(', '));
    assert.ok(storeWrites.every((name) => /^store (sessions|once|outbox|signIns|writeBudget)\.\w+$/.test(name)));
  });

  it("traces the report's delivery on its own: its Graph calls and the session's writes", () => {
    const spans = collector.spans();
    const delivery = spans.find((s) => s.name === 'report delivery');
    assert.ok(delivery);
    const trace = spans.filter((s) => s.traceId === delivery.traceId);
    const graphSpans = trace.filter((s) => s.name.startsWith('Graph ')).map((s) => attributesOf(s.attributes));
    assert.deepEqual(graphSpans.map((a) => `${a['http.request.method']} ${new URL(String(a['url.full'])).pathname}`).sort(), graphCallsOf(reportCalls));
    assert.ok(graphSpans.some((a) => a['graph.operation'] === 'reportRemoteAssistance'));
    assert.ok(trace.some((s) => s.name === 'store sessions.replace'));
  });

  it('exports the agreed metrics: turns, Graph calls and their duration, reports, the outbox', () => {
    const points = (name: string) => collector.lastPoints(name);
    const value = (name: string, attributes: Record<string, string>) =>
      points(name).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)).reduce((sum, p) => sum + p.value, 0);
    assert.equal(value('assistdesk.turns', { kind: 'assist', outcome: 'ok' }), 1);
    assert.equal(value('assistdesk.turns', { kind: 'submit', outcome: 'ok' }), 1);
    const allCalls = [...turnCalls, ...reportCalls];
    const requested = allCalls.filter((r) => r.url.pathname.endsWith('/requestRemoteAssistance')).length;
    assert.equal(value('assistdesk.graph.calls', { operation: 'requestRemoteAssistance', status: '204' }) + value('assistdesk.graph.calls', { operation: 'requestRemoteAssistance', status: '200' }), requested);
    assert.equal(points('assistdesk.graph.calls').reduce((sum, p) => sum + p.value, 0), allCalls.length);
    assert.equal(value('assistdesk.graph.duration', { operation: 'reportRemoteAssistance' }), 1, 'one duration recorded for the one report');
    assert.equal(value('assistdesk.reports', { outcome: 'delivered' }), 1);
    // Delivered: the outbox is empty again.
    assert.deepEqual(points('assistdesk.outbox.depth').map((p) => p.value), [0]);
    assert.deepEqual(points('assistdesk.outbox.oldest_age').map((p) => p.value), [0]);
  });
});

describe('telemetry to Application Insights (and to an OTLP collector at once)', () => {
  const collector = new OtlpReceiver();
  let ingestion: IngestionReceiver;
  let world: World;
  let turnCalls: RecordedRequest[];
  let connections: Array<{ kind: string; host: string; port?: number }>;
  before(async () => {
    world = await startWorld({ botEnv: { TECHNICIAN_GROUP_ID: TECHNICIANS_GROUP_ID } });
    // The exporter posts over HTTPS whatever the connection string says: the ingestion endpoint gets a
    // certificate of its own, trusted next to the emulators' one. The bot is started again to trust both.
    await world.bot.stop();
    const dir = path.dirname(world.env.NODE_EXTRA_CA_CERTS);
    const tls = await makeLoopbackTlsAsync(path.join(dir, 'ingestion'), 'AssistDesk test ingestion endpoint');
    const trusted = path.join(dir, 'trusted.pem');
    writeFileSync(trusted, `${readFileSync(world.env.NODE_EXTRA_CA_CERTS, 'utf8').trim()}\n${tls.cert}`);
    ingestion = new IngestionReceiver(tls);
    await ingestion.start();
    await collector.start();
    const logFile = path.join(dir, 'connections.jsonl');
    world.bot = await startBot({
      ...world.env,
      NODE_EXTRA_CA_CERTS: trusted,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=${ingestion.url}/`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      // Statsbeat (the SDK's own usage counts, sent to Microsoft) off, as the exporter reads it.
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      NODE_OPTIONS: `--require ${CONNECTION_LOG}`,
      ASSISTDESK_TEST_CONNECTION_LOG: logFile,
    });
    ({ turnCalls } = await helpTurnAndSubmit(world));
    connections = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  });
  after(async () => {
    await world?.stop();
    await ingestion?.stop();
    await collector.stop();
  });

  it("receives the turn's request and its Graph calls as dependencies, in one operation", () => {
    const envelopes = ingestion.envelopes();
    assert.ok(envelopes.every((e) => e.iKey === IKEY));
    const requests = envelopes.filter((e) => e.data.baseType === 'RequestData');
    const turnRequest = requests.find((e) => /POST \/api\/messages/.test(String(e.data.baseData.name)));
    assert.ok(turnRequest, `requests: ${requests.map((e) => e.data.baseData.name).join(', ')}`);
    const operationId = turnRequest.tags['ai.operation.id'];
    const dependencies = envelopes.filter((e) => e.data.baseType === 'RemoteDependencyData' && e.tags['ai.operation.id'] === operationId);
    // Named by the exporter after method and path, as HTTP dependencies are; our attributes ride along.
    const properties = (e: Envelope) => (e.data.baseData.properties ?? {}) as Record<string, string>;
    const graph = dependencies.filter((e) => properties(e)['graph.operation']);
    assert.deepEqual(graph.map((e) => String(e.data.baseData.name)).sort(), graphCallsOf(turnCalls));
    const operations = new Set(graph.map((e) => properties(e)['graph.operation']));
    for (const operation of ['checkMemberGroups', 'findDevices', 'requestRemoteAssistance']) assert.ok(operations.has(operation), [...operations].join(', '));
    assert.ok(dependencies.some((e) => e.data.baseData.name === 'store sessions.create'));
    // Both destinations set: the collector got the same trace.
    const turn = collector.spans().find((s) => s.name === 'turn assist');
    assert.equal(turn?.traceId, operationId);
  });

  it('receives the agreed metrics as custom metrics', () => {
    const metrics = ingestion.envelopes().filter((e) => e.data.baseType === 'MetricData');
    const names = new Set(metrics.flatMap((e) => (e.data.baseData.metrics as Array<{ name: string }>).map((m) => m.name)));
    for (const name of ['assistdesk.turns', 'assistdesk.graph.calls', 'assistdesk.graph.duration', 'assistdesk.reports', 'assistdesk.outbox.depth', 'assistdesk.outbox.oldest_age']) {
      assert.ok(names.has(name), `${name} not among ${[...names].join(', ')}`);
    }
    // Each data point is one envelope, its attributes as properties.
    const delivered = metrics.filter((e) => (e.data.baseData.properties as Record<string, string> | undefined)?.outcome === 'delivered')
      .flatMap((e) => (e.data.baseData.metrics as Array<{ name: string; value: number }>).filter((m) => m.name === 'assistdesk.reports'));
    assert.ok(delivered.length > 0 && delivered.every((m) => m.value === 1), JSON.stringify(delivered));
  });

  it('sends nothing anywhere but loopback', () => {
    assert.ok(ingestion.envelopes().length > 0);
    assert.ok(connections.some((c) => c.kind === 'connect' && c.port === ingestion.port), 'the connection log saw the exports');
    // The one exception is link-local and answers only on an Azure VM (where it tells the VM's id).
    const elsewhere = connections.filter((c) => !['127.0.0.1', 'localhost', '::1'].includes(c.host) && !(c.host === IMDS && c.port === 80));
    assert.deepEqual(elsewhere, []);
  });
});
