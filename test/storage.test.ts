// Sessions and the report outbox on the embedded Azurite the bot itself starts when no storage is configured.
// Run: node --test --import tsx test/storage.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
// As in the bot's own process: restify patches http.IncomingMessage.prototype, which Azurite's Express app
// and the storage SDK's responses also use. Storage must work with it loaded.
import 'restify';
import { BlobSessionStore } from '../src/sessions/blobSessionStore';
import { ReportOutbox, type OutboxMessage } from '../src/sessions/reportOutbox';
import { SessionConflictError, StoreUnavailableError } from '../src/sessions/sessionStore';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../src/storage/embeddedAzurite';
import { storageClients, storageTarget } from '../src/storage/storageConfig';
import { aSession } from './unit/fixtures';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Storage {
  azurite: EmbeddedAzurite;
  store: BlobSessionStore;
  outbox: ReportOutbox;
  reportsQueue: ReturnType<ReturnType<typeof storageClients>['queueService']['getQueueClient']>;
  logs: string[];
}

async function startStorage(dataDir: string): Promise<Storage> {
  const azurite = await startEmbeddedAzurite({ dataDir });
  const { blobService, queueService } = storageClients(storageTarget({ connectionString: azurite.connectionString }));
  const logs: string[] = [];
  const store = new BlobSessionStore(blobService);
  const outbox = new ReportOutbox(queueService, (message) => logs.push(message));
  await Promise.all([store.init(), outbox.init()]);
  return { azurite, store, outbox, reportsQueue: queueService.getQueueClient('reports'), logs };
}

/** Every message in the queue, visible or not (the service's own count). */
async function queueLength(storage: Storage): Promise<number> {
  return (await storage.reportsQueue.getProperties()).approximateMessagesCount ?? -1;
}

describe('sessions and the outbox in Azure Storage (embedded Azurite)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-storage-'));
  const dataDir = path.join(dir, 'azurite');
  let s: Storage;

  before(async () => {
    s = await startStorage(dataDir);
  });
  after(async () => {
    await s?.azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back the session it created, and replaces it at the version it read', async () => {
    const session = aSession({ id: randomUUID(), technician: { aadObjectId: 'tech-1', name: 'Zoë Ångström' } });
    const created = await s.store.create(session);
    assert.deepEqual(created.session, session);
    const read = await s.store.get(session.id);
    assert.deepEqual(read, created);

    const replaced = await s.store.replace({ ...session, state: 'submitted' }, read!.etag);
    assert.notEqual(replaced.etag, created.etag);
    assert.equal((await s.store.get(session.id))?.session.state, 'submitted');
    assert.equal(await s.store.get(randomUUID()), undefined);
  });

  it('stores each session as a JSON blob named after it', async () => {
    const session = aSession({ id: randomUUID() });
    await s.store.create(session);
    const { blobService } = storageClients({ kind: 'connectionString', connectionString: s.azurite.connectionString });
    const props = await blobService.getContainerClient('sessions').getBlobClient(`sessions/${session.id}.json`).getProperties();
    assert.equal(props.contentType, 'application/json');
  });

  it('lets exactly one of two writers holding the same version win', async () => {
    const { session, etag } = await s.store.create(aSession({ id: randomUUID() }));
    const results = await Promise.allSettled([
      s.store.replace({ ...session, state: 'submitted' }, etag),
      s.store.replace({ ...session, state: 'cancelled' }, etag),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(lost[0].reason instanceof SessionConflictError, String(lost[0].reason));
    assert.equal((await s.store.get(session.id))?.session.state, (won[0] as PromiseFulfilledResult<{ session: { state: string } }>).value.session.state);
    // The loser's version is stale for good.
    await assert.rejects(s.store.replace({ ...session, state: 'reported' }, etag), SessionConflictError);
  });

  it('refuses to create a session that already exists, keeping the first', async () => {
    const session = aSession({ id: randomUUID() });
    await s.store.create(session);
    await assert.rejects(s.store.create({ ...session, state: 'cancelled' }), SessionConflictError);
    assert.equal((await s.store.get(session.id))?.session.state, 'requested');
  });

  it("lists a technician's own sessions newest first, up to the limit", async () => {
    const tenantId = randomUUID(), tech = randomUUID();
    const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`;
    const mine = (day: number) => aSession({ id: randomUUID(), tenantId, technician: { aadObjectId: tech, name: 'A' }, createdAt: at(day) });
    // Created out of order, with a colleague's session and the same user in another tenant mixed in.
    const sessions = [mine(3), mine(1), mine(4), mine(2)];
    for (const session of sessions) await s.store.create(session);
    await s.store.create(aSession({ id: randomUUID(), tenantId, technician: { aadObjectId: randomUUID(), name: 'B' }, createdAt: at(5) }));
    await s.store.create(aSession({ id: randomUUID(), tenantId: randomUUID(), technician: { aadObjectId: tech, name: 'A' }, createdAt: at(6) }));
    const byDay = (day: number) => sessions.find((x) => x.createdAt === at(day))!.id;

    const three = await s.store.listForTechnician(tenantId, tech, 3);
    assert.deepEqual(three.map((x) => x.id), [byDay(4), byDay(3), byDay(2)]);
    const all = await s.store.listForTechnician(tenantId, tech, 10);
    assert.deepEqual(all.map((x) => x.id), [byDay(4), byDay(3), byDay(2), byDay(1)]);
    assert.deepEqual(await s.store.listForTechnician(tenantId, randomUUID(), 10), []);
  });

  it('queues a report as base64 JSON, hands it out as attempt 1, and removes it when completed', async () => {
    const sessionId = randomUUID();
    await s.outbox.enqueue(sessionId);
    const [peeked] = (await s.reportsQueue.peekMessages()).peekedMessageItems;
    assert.deepEqual(JSON.parse(Buffer.from(peeked.messageText, 'base64').toString('utf8')), { sessionId });

    const received = await s.outbox.receive(16, 30);
    assert.deepEqual(received.map(({ sessionId, attempt }) => ({ sessionId, attempt })), [{ sessionId, attempt: 1 }]);
    await s.outbox.complete(received[0]);
    assert.equal(await queueLength(s), 0);
    // Completing twice (a retried turn) is harmless.
    await s.outbox.complete(received[0]);
  });

  it('brings back a message nobody completed, as attempt 2, once its visibility timeout lapses', async () => {
    const sessionId = randomUUID();
    await s.outbox.enqueue(sessionId);
    const [first] = await s.outbox.receive(16, 1);
    assert.deepEqual(await s.outbox.receive(16, 30), [], 'still hidden');
    await sleep(1300);
    const [again] = await s.outbox.receive(16, 30);
    assert.equal(again?.sessionId, sessionId);
    assert.equal(again.attempt, 2);
    // The first receiver's receipt is stale now: settling with it must neither fail nor delete the message.
    await s.outbox.complete(first);
    assert.equal(await queueLength(s), 1);
    await s.outbox.complete(again);
    assert.equal(await queueLength(s), 0);
  });

  it('holds back a report put off with retryLater, or enqueued with a delay, until the delay has passed', async () => {
    const retried = randomUUID(), delayed = randomUUID();
    await s.outbox.enqueue(retried);
    const [message] = await s.outbox.receive(16, 30);
    await s.outbox.retryLater(message, 2);
    await s.outbox.enqueue(delayed, 2);
    assert.deepEqual(await s.outbox.receive(16, 30), []);
    await sleep(2300);
    const back = await s.outbox.receive(16, 30);
    assert.deepEqual(back.map((m) => [m.sessionId, m.attempt]).sort(), [[delayed, 1], [retried, 2]].sort());
    for (const m of back) await s.outbox.complete(m);
  });

  it('drops malformed messages and reports them, and still reads plain JSON', async () => {
    const plain = randomUUID();
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    for (const text of ['not json at all', b64('{"other":1}'), b64('{"sessionId":""}'), JSON.stringify({ sessionId: plain })]) {
      await s.reportsQueue.sendMessage(text);
    }
    const received = await s.outbox.receive(16, 30);
    assert.deepEqual(received.map((m) => m.sessionId), [plain]);
    assert.equal(s.logs.filter((l) => l.includes('malformed')).length, 3, s.logs.join('\n'));
    await s.outbox.complete(received[0]);
    assert.equal(await queueLength(s), 0, 'the malformed messages were deleted, not left to come back');
  });

  it('keeps sessions and queued reports when Azurite is stopped and started again on the same directory', async () => {
    const stored = await s.store.create(aSession({ id: randomUUID() }));
    const sessionId = randomUUID();
    await s.outbox.enqueue(sessionId);
    await s.azurite.stop();

    s = await startStorage(dataDir);
    assert.deepEqual(await s.store.get(stored.session.id), stored);
    const [message] = await s.outbox.receive(16, 30);
    assert.equal(message?.sessionId, sessionId);
    await s.outbox.complete(message);
  });

  it('lets a second process on the same directory use the running Azurite instead of starting its own', async () => {
    const second = await startEmbeddedAzurite({ dataDir });
    assert.equal(second.connectionString, s.azurite.connectionString);
    await second.stop();
    await s.store.ping(); // the owner's Azurite still runs
  });

  it('takes the directory over from a process that died holding it', async () => {
    const other = path.join(dir, 'orphaned');
    const first = await startEmbeddedAzurite({ dataDir: other });
    await first.stop();
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    writeFileSync(path.join(other, 'azurite.lock'), JSON.stringify({ pid: child.pid, blobPort: 1, queuePort: 1 }));
    const started = Date.now();
    const taken = await startEmbeddedAzurite({ dataDir: other });
    try {
      assert.ok(Date.now() - started < 3000, 'no waiting on a dead owner');
      assert.notEqual(taken.connectionString, first.connectionString);
      const store = new BlobSessionStore(storageClients({ kind: 'connectionString', connectionString: taken.connectionString }).blobService);
      await store.init();
      await store.ping();
    } finally {
      await taken.stop();
    }
  });
});

describe('when storage cannot be reached', () => {
  /** Fails every call it is given and says how long each took to fail. */
  async function failures(calls: Record<string, () => Promise<unknown>>) {
    return Promise.all(
      Object.entries(calls).map(async ([name, call]) => {
        const started = Date.now();
        const error = await call().then(() => undefined, (e: unknown) => e);
        return { name, error, ms: Date.now() - started };
      }),
    );
  }

  function everyCall(store: BlobSessionStore, outbox: ReportOutbox, etag: string) {
    const session = aSession({ id: randomUUID() });
    const message: OutboxMessage = { sessionId: session.id, attempt: 1, messageId: 'm', popReceipt: 'p' };
    return {
      get: () => store.get(session.id),
      create: () => store.create(session),
      replace: () => store.replace(session, etag),
      list: () => store.listForTechnician(session.tenantId, session.technician.aadObjectId, 10),
      ping: () => store.ping(),
      enqueue: () => outbox.enqueue(session.id),
      receive: () => outbox.receive(16, 30),
      complete: () => outbox.complete(message),
      retryLater: () => outbox.retryLater(message, 5),
      outboxPing: () => outbox.ping(),
    };
  }

  function assertUnavailableWithin(results: Awaited<ReturnType<typeof failures>>, maxMs: number) {
    for (const { name, error, ms } of results) {
      assert.ok(error instanceof StoreUnavailableError, `${name}: ${String(error)}`);
      assert.ok(ms < maxMs, `${name} took ${ms} ms`);
    }
  }

  it('fails every store and outbox call with StoreUnavailableError at once when Azurite is stopped', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-storage-down-'));
    try {
      const s = await startStorage(path.join(dir, 'azurite'));
      const { etag } = await s.store.create(aSession({ id: randomUUID() }));
      await s.azurite.stop();
      const results = await failures(everyCall(s.store, s.outbox, etag));
      t.diagnostic(`refused: slowest ${Math.max(...results.map((r) => r.ms))} ms`);
      assertUnavailableWithin(results, 2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('that accepts connections but never answers', () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    // In a hook, so that a call which never gives up fails its test instead of holding the run open.
    after(() => {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    });

    it('gives up on every call within 5 s', { timeout: 15_000 }, async (t) => {
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const { port } = silent.address() as { port: number };
      const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('key').toString('base64')};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${port}/devstoreaccount1`;
      const { blobService, queueService } = storageClients({ kind: 'connectionString', connectionString });
      const results = await failures(everyCall(new BlobSessionStore(blobService), new ReportOutbox(queueService), '"0x1"'));
      t.diagnostic(`hanging: slowest ${Math.max(...results.map((r) => r.ms))} ms`);
      assertUnavailableWithin(results, 5000);
    });
  });
});
