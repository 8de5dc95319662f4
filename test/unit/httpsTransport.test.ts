import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, GraphError, RetryHandler, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { HttpsTransport } from '../../src/graph/httpsTransport';
import { makeLoopbackTlsAsync } from '../emulators/tls';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string; socket: number }

// A loopback HTTPS server answers each request as `answer` says, recording what arrived and on which connection.
describe('the Graph HTTPS transport (node:https in place of fetch)', () => {
  let server: Server;
  let agent: Agent;
  let base: string;
  const seen: Seen[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let sockets = 0;
  const closed = new Set<number>();

  before(async () => {
    const tls = await makeLoopbackTlsAsync(mkdtempSync(join(tmpdir(), 'transport-')));
    server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, socket: (req.socket as { id?: number }).id! });
        answer(req, res);
      });
    });
    server.on('secureConnection', (socket) => {
      const id = ++sockets;
      Object.assign(socket, { id });
      socket.on('close', () => closed.add(id));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent({ keepAlive: true, ca: tls.cert });
  });

  after(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A Graph client whose chain is our transport, after the SDK's retry handler when one is given. */
  const client = (retry?: RetryHandler) =>
    Client.initWithMiddleware({ baseUrl: base + '/', defaultVersion: 'v1.0', middleware: retry ? [retry, new HttpsTransport(agent)] : [new HttpsTransport(agent)] });

  it('sends the method, headers and JSON body, and hands back the JSON answer, over one kept connection', async () => {
    seen.length = 0;
    answer = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'request-id': 'r-1' });
      res.end(JSON.stringify({ value: [{ id: 'd-1', deviceName: 'LAPTÓP-42 ü' }] }));
    };
    const graph = client();
    const first = await graph.api('/deviceManagement/managedDevices').header('client-request-id', 'c-1').filter("deviceName eq 'x'").get();
    assert.deepEqual(first, { value: [{ id: 'd-1', deviceName: 'LAPTÓP-42 ü' }] });
    await graph.api('/users/u-1/checkMemberGroups').post({ groupIds: ['g-ü'] });
    assert.equal(seen[0].method, 'GET');
    assert.equal(decodeURIComponent(seen[0].url), "/v1.0/deviceManagement/managedDevices?$filter=deviceName eq 'x'");
    assert.equal(seen[0].headers['client-request-id'], 'c-1');
    assert.equal(seen[1].method, 'POST');
    assert.deepEqual(JSON.parse(seen[1].body), { groupIds: ['g-ü'] });
    assert.equal(Number(seen[1].headers['content-length']), Buffer.byteLength(seen[1].body), 'the length in bytes, not characters');
    assert.equal(seen[1].headers['content-type'], 'application/json');
    assert.equal(seen[0].socket, seen[1].socket, 'the second request reused the connection');
  });

  it('reads a 204 as no content, and an error answer as the GraphError the SDK makes of it', async () => {
    answer = (req, res) => {
      if (req.method === 'POST') return res.writeHead(204).end();
      res.writeHead(404, { 'Content-Type': 'application/json', 'request-id': 'r-404' });
      res.end(JSON.stringify({ error: { code: 'ResourceNotFound', message: 'no such device' } }));
    };
    const graph = client();
    assert.equal(await graph.api('/deviceManagement/managedDevices/d-1/requestRemoteAssistance').post({}), undefined);
    await assert.rejects(graph.api('/deviceManagement/managedDevices/nope').get(), (error: unknown) => {
      assert.ok(error instanceof GraphError);
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'ResourceNotFound');
      assert.equal(error.headers?.get('Request-Id'), 'r-404', 'headers are read whatever their case');
      return true;
    });
  });

  it("lets the SDK's retry handler read Retry-After from a 429 and ask again", async () => {
    seen.length = 0;
    let calls = 0;
    answer = (_req, res) => {
      if (++calls === 1) return res.writeHead(429, { 'Retry-After': '0', 'Content-Type': 'application/json' }).end('{"error":{"code":"TooManyRequests"}}');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"d-1"}');
    };
    const result = await client(new RetryHandler(new RetryHandlerOptions(0, 2))).api('/deviceManagement/managedDevices/d-1').get();
    assert.deepEqual(result, { id: 'd-1' });
    assert.equal(seen.length, 2);
  });

  it('joins a repeated answer header as fetch does', async () => {
    answer = (_req, res) => {
      res.setHeader('x-ms-thing', ['a', 'b']);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('plain text');
    };
    const transport = new HttpsTransport(agent);
    const context = { request: `${base}/v1.0/x`, options: { method: 'GET', headers: [['accept', 'text/plain']] as [string, string][] } };
    await transport.execute(context as never);
    const response = (context as unknown as { response: Response }).response;
    assert.equal(response.headers.get('X-MS-Thing'), 'a, b');
    assert.equal(response.ok, true);
    assert.equal(await response.text(), 'plain text');
    assert.equal(seen.at(-1)!.headers.accept, 'text/plain', 'headers given as pairs are sent');
  });

  it('aborts a request Graph holds when its signal fires, and the connection is not kept', async () => {
    answer = () => undefined; // Graph holds the request and never answers
    const deadline = new AbortController();
    const held = client().api('/deviceManagement/managedDevices').option('signal', deadline.signal).get();
    setTimeout(() => deadline.abort(), 50);
    await assert.rejects(held, (error: unknown) => (error as { name?: string }).name === 'AbortError' || (error as { code?: string }).code === 'AbortError');
    const heldOn = seen.at(-1)!.socket;
    for (let waited = 0; !closed.has(heldOn) && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(closed.has(heldOn), 'the held connection was closed, not returned to the pool');
    answer = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value":[]}');
    assert.deepEqual(await client().api('/deviceManagement/managedDevices').get(), { value: [] });
    assert.notEqual(seen.at(-1)!.socket, heldOn);
  });

  it('fails, without an answer, when the connection is dropped after the request was received', async () => {
    answer = (req) => req.socket.destroy();
    await assert.rejects(client().api('/deviceManagement/managedDevices/d-1/requestRemoteAssistance').post({}), (error: unknown) => {
      assert.ok(error instanceof GraphError);
      assert.equal(error.statusCode, -1, 'the SDK marks an exchange with no answer with -1');
      return true;
    });
  });
});
