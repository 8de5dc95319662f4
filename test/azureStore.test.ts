// What only the Azure Storage engine does: its wire format, and its answers when the account cannot be
// reached. The behaviour both engines share is in store.contract.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import 'restify';
import { openAzureStore, SESSIONS_CONTAINER } from '../src/store/azure/azureStore';
import { QueueOutbox, REPORTS_QUEUE } from '../src/store/azure/queueOutbox';
import { BlobSessionStore } from '../src/store/azure/blobSessionStore';
import { storageClients } from '../src/store/azure/storageConfig';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../src/store/azurite/embeddedAzurite';
import { StoreUnavailableError, type OutboxMessage, type Store } from '../src/store/ports';
import { tempDir } from './support/tempDir';
import { aSession } from './unit/fixtures';

const target = (connectionString: string) => ({ kind: 'connectionString' as const, connectionString });

describe('Azure Storage: what is on the wire', () => {
  let azurite: EmbeddedAzurite;
  let store: Store;
  const logs: string[] = [];
  const clients = () => storageClients(target(azurite.connectionString));
  before(async () => {
    azurite = await startEmbeddedAzurite({ dataDir: tempDir('assistdesk-azure-') });
    store = await openAzureStore(target(azurite.connectionString), { log: (m) => logs.push(m) });
  });
  after(() => azurite?.stop());

  it('stores each session as a JSON blob named after it', async () => {
    const session = aSession({ id: randomUUID() });
    await store.sessions.create(session);
    const props = await clients().blobService.getContainerClient(SESSIONS_CONTAINER).getBlobClient(`sessions/${session.id}.json`).getProperties();
    assert.equal(props.contentType, 'application/json');
  });

  it('queues a report as base64 JSON, the encoding Azure Functions reads', async () => {
    const sessionId = randomUUID();
    await store.outbox.enqueue(sessionId);
    const queue = clients().queueService.getQueueClient(REPORTS_QUEUE);
    const [peeked] = (await queue.peekMessages()).peekedMessageItems;
    assert.deepEqual(JSON.parse(Buffer.from(peeked.messageText, 'base64').toString('utf8')), { sessionId });
    for (const m of await store.outbox.receive(32, 30)) await store.outbox.complete(m);
  });

  it('drops malformed messages and says so, and still reads plain JSON', async () => {
    const queue = clients().queueService.getQueueClient(REPORTS_QUEUE);
    const plain = randomUUID();
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    for (const text of ['not json at all', b64('{"other":1}'), b64('{"sessionId":""}'), JSON.stringify({ sessionId: plain })]) await queue.sendMessage(text);
    const received = await store.outbox.receive(16, 30);
    assert.deepEqual(received.map((m) => m.sessionId), [plain]);
    assert.equal(logs.filter((l) => l.includes('malformed')).length, 3, logs.join('\n'));
    await store.outbox.complete(received[0]);
    assert.equal((await queue.getProperties()).approximateMessagesCount, 0, 'the malformed messages were deleted, not left to come back');
  });

  it('sweeps away the marker of a session that is no longer submitted', async () => {
    const created = await store.sessions.create(aSession({ id: randomUUID() }));
    const submitted = await store.sessions.replace({ ...created.session, state: 'submitted' }, created.etag);
    await store.sessions.replace({ ...submitted.session, state: 'reported' }, submitted.etag);
    const container = clients().blobService.getContainerClient(SESSIONS_CONTAINER);
    assert.equal(await container.getBlobClient(`submitted/${created.session.id}`).exists(), true);
    await store.sessions.listInState('submitted', 1000);
    assert.equal(await container.getBlobClient(`submitted/${created.session.id}`).exists(), true, 'kept for a while: it may be a write under way');
    await new BlobSessionStore(container, { markerGraceMs: 0 }).listInState('submitted', 1000);
    assert.equal(await container.getBlobClient(`submitted/${created.session.id}`).exists(), false);
  });

  it('keeps the marker of a write under way: written, and its session not yet in that state', async () => {
    const created = await store.sessions.create(aSession({ id: randomUUID() }));
    const container = clients().blobService.getContainerClient(SESSIONS_CONTAINER);
    // replace() in two halves, with a listing between them: the marker first, then the session itself.
    await container.getBlockBlobClient(`submitted/${created.session.id}`).upload('', 0);
    assert.ok(!(await store.sessions.listInState('submitted', 1000)).some((s) => s.session.id === created.session.id));
    const body = JSON.stringify({ ...created.session, state: 'submitted' });
    await container.getBlockBlobClient(`sessions/${created.session.id}.json`).upload(body, Buffer.byteLength(body), { conditions: { ifMatch: created.etag } });
    assert.ok((await store.sessions.listInState('submitted', 1000)).some((s) => s.session.id === created.session.id), 'the sweep still finds it');
  });
  it("deletes a session past retention with its technician entry, its day marker and its state markers", async () => {
    const container = clients().blobService.getContainerClient(SESSIONS_CONTAINER);
    const names = async () => {
      const found: string[] = [];
      for await (const item of container.listBlobsFlat()) if (item.name.includes(created.session.id)) found.push(item.name);
      return found.sort();
    };
    const created = await store.sessions.create(aSession({ id: randomUUID(), createdAt: '2013-04-05T06:07:08.000Z', updatedAt: '2013-04-05T06:07:08.000Z' }));
    await store.sessions.replace({ ...created.session, state: 'submitted' }, created.etag);
    assert.deepEqual((await names()).map((n) => n.split('/')[0]), ['by-day', 'by-technician', 'requested', 'sessions', 'submitted']);
    assert.ok((await names()).includes(`by-day/2013-04-05/${created.session.id}`));
    assert.equal(await store.sessions.deleteCreatedBefore(new Date('2013-04-06T00:00:00Z'), 10), 1);
    assert.deepEqual(await names(), []);
  });

  it("gives sessions written by an earlier version (no day or requested marker) their markers, so retention, the export and the abandon sweep find them", async () => {
    const container = clients().blobService.getContainerClient(SESSIONS_CONTAINER);
    const earlier = [aSession({ id: randomUUID(), createdAt: '2012-01-01T10:00:00.000Z', updatedAt: '2012-01-01T10:00:00.000Z' }), aSession({ id: randomUUID(), state: 'reported', createdAt: '2012-01-02T10:00:00.000Z' })];
    for (const session of earlier) {
      const body = JSON.stringify(session);
      await container.getBlockBlobClient(`sessions/${session.id}.json`).upload(body, Buffer.byteLength(body));
    }
    const listed = async () => {
      const ids: string[] = [];
      for await (const { session } of store.sessions.listCreated(new Date('2012-01-01T00:00:00Z'), new Date('2012-01-03T00:00:00Z'))) ids.push(session.id);
      return ids;
    };
    assert.deepEqual(await listed(), [], 'not found before');
    let total = 0;
    for (let round = 0, n = -1; n !== 0 && round < 20; round++) total += n = await store.sessions.indexEarlier!();
    assert.ok(total >= 2, `indexed ${total}`);
    assert.equal(await store.sessions.indexEarlier!(), 0, 'done, and remembered');
    assert.deepEqual(await listed(), earlier.map((s) => s.id));
    assert.ok((await store.sessions.listInState('requested', 1000)).some((s) => s.session.id === earlier[0].id));
    assert.equal(await store.sessions.deleteCreatedBefore(new Date('2012-01-03T00:00:00Z'), 10), 2);
  });
});

describe('Azure Storage that cannot be reached', () => {
  async function failures(calls: Record<string, () => Promise<unknown>>) {
    return Promise.all(
      Object.entries(calls).map(async ([name, call]) => {
        const started = Date.now();
        const error = await call().then(() => undefined, (e: unknown) => e);
        return { name, error, ms: Date.now() - started };
      }),
    );
  }

  function everyCall(connectionString: string, etag: string) {
    const { blobService, queueService } = storageClients(target(connectionString));
    const sessions = new BlobSessionStore(blobService.getContainerClient(SESSIONS_CONTAINER));
    const outbox = new QueueOutbox(queueService.getQueueClient(REPORTS_QUEUE));
    const session = aSession({ id: randomUUID() });
    const message: OutboxMessage = { sessionId: session.id, attempt: 1, messageId: 'm', popReceipt: 'p' };
    return {
      get: () => sessions.get(session.id),
      create: () => sessions.create(session),
      replace: () => sessions.replace(session, etag),
      list: () => sessions.listForTechnician(session.tenantId, session.technician.aadObjectId, 10),
      submitted: () => sessions.listInState('submitted', 10),
      created: async () => {
        for await (const found of sessions.listCreated(new Date(0), new Date())) return found;
      },
      deleteOld: () => sessions.deleteCreatedBefore(new Date(), 10),
      indexEarlier: () => sessions.indexEarlier(),
      enqueue: () => outbox.enqueue(session.id),
      receive: () => outbox.receive(16, 30),
      complete: () => outbox.complete(message),
      retryLater: () => outbox.retryLater(message, 5),
    };
  }

  it('fails every call with StoreUnavailableError when Azurite is stopped', async (t) => {
    const azurite = await startEmbeddedAzurite({ dataDir: tempDir('assistdesk-azure-down-') });
    const store = await openAzureStore(target(azurite.connectionString));
    const { etag } = await store.sessions.create(aSession({ id: randomUUID() }));
    await azurite.stop();
    const results = await failures(everyCall(azurite.connectionString, etag));
    t.diagnostic(`refused: slowest ${Math.max(...results.map((r) => r.ms))} ms`);
    for (const { name, error } of results) assert.ok(error instanceof StoreUnavailableError, `${name}: ${String(error)}`);
    await assert.rejects(store.ping(), StoreUnavailableError);
  });

  describe('that accepts connections but never answers', () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    after(() => {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    });

    // The test's own timeout is the bound: a call that never gave up would fail it.
    it('gives up on every call', { timeout: 15_000 }, async (t) => {
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const { port } = silent.address() as { port: number };
      const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('key').toString('base64')};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${port}/devstoreaccount1`;
      const results = await failures(everyCall(connectionString, '"0x1"'));
      t.diagnostic(`hanging: slowest ${Math.max(...results.map((r) => r.ms))} ms`);
      for (const { name, error } of results) assert.ok(error instanceof StoreUnavailableError, `${name}: ${String(error)}`);
    });
  });
});
