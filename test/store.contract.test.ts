// One contract, both engines: every port of the store against SQLite (a temporary file) and Azure Storage
// (Azurite). Time moves on a fake clock for SQLite and on the wall clock for Azurite, whose timers are its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
// As in the bot's own process: restify patches http.IncomingMessage.prototype, which the storage SDK's
// responses also use. Storage must work with it loaded.
import 'restify';
import { openAzureStore } from '../src/store/azure/azureStore';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../src/store/azurite/embeddedAzurite';
import { AbandonSessions } from '../src/assist/abandonSessions';
import { ExpireSessions } from '../src/assist/expireSessions';
import pino from 'pino';
import { SessionConflictError, type Store } from '../src/store/ports';
import { openSqliteStore } from '../src/store/sqlite/sqliteStore';
import { tempDir } from './support/tempDir';
import { aSession } from './unit/fixtures';
import type { Session } from '../src/sessions/session';

const silentLogger = pino({ level: 'silent' });

interface Engine {
  name: string;
  /** The store, and a second handle on the same data (another instance, another process's connection). */
  open(): Promise<{ store: Store; other: Store }>;
  /** Lets `ms` pass for the engine's timers. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

function sqliteEngine(): Engine {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const now = () => clock;
  const opened: Store[] = [];
  return {
    name: 'SQLite',
    async open() {
      const dir = tempDir('assistdesk-contract-');
      const store = openSqliteStore(dir, { now }), other = openSqliteStore(dir, { now });
      opened.push(store, other);
      return { store, other };
    },
    advance: async (ms) => void (clock += ms),
    close: async () => void (await Promise.all(opened.map((s) => s.close()))),
  };
}

function azureEngine(): Engine {
  let azurite: EmbeddedAzurite | undefined;
  return {
    name: 'Azure Storage (Azurite)',
    async open() {
      azurite ??= await startEmbeddedAzurite({ dataDir: tempDir('assistdesk-contract-azurite-') });
      const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
      const store = await openAzureStore(target), other = await openAzureStore(target);
      return { store, other };
    },
    // Azurite counts visibility in whole seconds: a little over the asked time.
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 300)),
    close: async () => azurite?.stop(),
  };
}

for (const engine of [sqliteEngine(), azureEngine()]) {
  describe(`the store on ${engine.name}`, () => {
    let store: Store, other: Store;
    before(async () => ({ store, other } = await engine.open()));
    after(() => engine.close());
    /** Drains what is visible now, so each test sees only its own messages. */
    const drain = async () => {
      for (let got = await store.outbox.receive(32, 60); got.length; got = await store.outbox.receive(32, 60)) for (const m of got) await store.outbox.complete(m);
    };

    it('reads back the session it created, and replaces it only at the version it read', async () => {
      const session = aSession({ id: randomUUID(), technician: { aadObjectId: randomUUID(), name: 'Zoë Ångström «O\'Brien»' } });
      const created = await store.sessions.create(session);
      assert.deepEqual(created.session, session);
      const read = await other.sessions.get(session.id);
      assert.deepEqual(read, created);
      const replaced = await store.sessions.replace({ ...session, state: 'submitted' }, read!.etag);
      assert.notEqual(replaced.etag, created.etag);
      assert.equal((await other.sessions.get(session.id))?.session.state, 'submitted');
      assert.equal(await store.sessions.get(randomUUID()), undefined);
    });

    it("keeps a session's optional fields as written: the admin center link, what Intune said, where the card is", async () => {
      const session = aSession({ id: randomUUID(), intuneUrl: 'https://intune.microsoft.us/#view/Microsoft_Intune_Devices/DeviceSettingsMenuBlade/~/overview/mdmDeviceId/d-1' });
      const created = await store.sessions.create(session);
      assert.deepEqual((await other.sessions.get(session.id))?.session, session);
      const assistance = { sessionUrl: 'https://start.example/s/1?t=a%20b', errorDetails: 'Партнёр «TeamViewer» *not* onboarded', linkRefused: true, at: '2026-12-01T10:00:05.000Z' };
      const card = { activityId: '1:1700000000000001', conversation: { id: 'a:1chat', tenantId: 't', serviceUrl: 'https://smba.trafficmanager.net/emea/' } };
      await store.sessions.replace({ ...session, assistance, card }, created.etag);
      const read = (await other.sessions.get(session.id))!.session;
      assert.deepEqual(read, { ...session, assistance, card });
    });

    it('lets exactly one of two writers holding the same version win (two instances taking one lease)', async () => {
      const { session, etag } = await store.sessions.create(aSession({ id: randomUUID(), state: 'submitted' }));
      const lease = (by: Store, until: number) => by.sessions.replace({ ...session, deliveryLeaseUntil: new Date(until).toISOString() }, etag);
      const results = await Promise.allSettled([lease(store, 1), lease(other, 2)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.ok(lost[0]?.reason instanceof SessionConflictError, String(lost[0]?.reason));
      await assert.rejects(store.sessions.replace({ ...session, state: 'reported' }, etag), SessionConflictError, 'the version is stale for good');
    });

    it('refuses to create a session that already exists, keeping the first', async () => {
      const session = aSession({ id: randomUUID() });
      await store.sessions.create(session);
      await assert.rejects(other.sessions.create({ ...session, state: 'cancelled' }), SessionConflictError);
      assert.equal((await store.sessions.get(session.id))?.session.state, 'requested');
    });

    it("lists a technician's own sessions in the tenant, newest first, up to the limit", async () => {
      const tenantId = randomUUID(), tech = randomUUID();
      const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`;
      const mine = (day: number) => aSession({ id: randomUUID(), tenantId, technician: { aadObjectId: tech, name: 'A' }, createdAt: at(day) });
      const sessions = [mine(3), mine(1), mine(4), mine(2)];
      for (const session of sessions) await store.sessions.create(session);
      await store.sessions.create(aSession({ id: randomUUID(), tenantId, technician: { aadObjectId: randomUUID(), name: 'B' }, createdAt: at(5) }));
      await store.sessions.create(aSession({ id: randomUUID(), tenantId: randomUUID(), technician: { aadObjectId: tech, name: 'A' }, createdAt: at(6) }));
      const byDay = (day: number) => sessions.find((x) => x.createdAt === at(day))!.id;
      assert.deepEqual((await store.sessions.listForTechnician(tenantId, tech, 3)).map((x) => x.id), [byDay(4), byDay(3), byDay(2)]);
      assert.deepEqual((await other.sessions.listForTechnician(tenantId, tech, 10)).map((x) => x.id), [4, 3, 2, 1].map(byDay));
      assert.deepEqual(await store.sessions.listForTechnician(tenantId, randomUUID(), 10), []);
    });

    it('lists the sessions in state submitted, and no longer once they moved on', async () => {
      const submitted = await store.sessions.create(aSession({ id: randomUUID() }));
      const moved = await store.sessions.replace({ ...submitted.session, state: 'submitted' }, submitted.etag);
      assert.ok((await store.sessions.listInState('submitted', 1000)).some((s) => s.session.id === moved.session.id));
      const reported = await store.sessions.replace({ ...moved.session, state: 'reported' }, moved.etag);
      const listed = await other.sessions.listInState('submitted', 1000);
      assert.ok(!listed.some((s) => s.session.id === reported.session.id));
      assert.ok(listed.every((s) => s.session.state === 'submitted'));
    });

    it('lists open requests from their creation, and a taken one under its technician', async () => {
      const tenantId = randomUUID();
      const tech = randomUUID();
      const asked = await store.sessions.create(aSession({ id: randomUUID(), tenantId, state: 'asked', technician: { aadObjectId: '', name: '' } }));
      assert.ok((await other.sessions.listInState('asked', 1000)).some((s) => s.session.id === asked.session.id));
      const taken = await store.sessions.replace({ ...asked.session, state: 'requested', takenAt: asked.session.createdAt, technician: { aadObjectId: tech, name: 'T' } }, asked.etag);
      assert.ok(!(await store.sessions.listInState('asked', 1000)).some((s) => s.session.id === taken.session.id));
      assert.deepEqual((await other.sessions.listForTechnician(tenantId, tech, 10)).map((x) => x.id), [asked.session.id]);
    });

    it('lists the sessions in state requested, and no longer once submitted', async () => {
      const created = await store.sessions.create(aSession({ id: randomUUID() }));
      assert.ok((await other.sessions.listInState('requested', 1000)).some((s) => s.session.id === created.session.id));
      await store.sessions.replace({ ...created.session, state: 'submitted' }, created.etag);
      const listed = await other.sessions.listInState('requested', 1000);
      assert.ok(!listed.some((s) => s.session.id === created.session.id));
      assert.ok(listed.every((s) => s.session.state === 'requested'));
    });

    it('lists waiting requests, and deletes one only at the version read, once across instances, with its listings', async () => {
      const tenantId = randomUUID(), tech = randomUUID();
      const created = await store.sessions.create(aSession({ id: randomUUID(), state: 'waiting', tenantId, technician: { aadObjectId: tech, name: 'T' } }));
      assert.ok((await other.sessions.listInState('waiting', 1000)).some((s) => s.session.id === created.session.id));
      const moved = await store.sessions.replace({ ...created.session, card: { activityId: 'm1', conversation: {} } }, created.etag);
      assert.equal(await other.sessions.delete(created), false, 'a stale version deletes nothing');
      const [a, b] = await Promise.all([store.sessions.delete(moved), other.sessions.delete(moved)]);
      assert.equal(Number(a) + Number(b), 1, 'deleted by one of the two');
      assert.equal(await other.sessions.get(created.session.id), undefined);
      assert.ok(!(await store.sessions.listInState('waiting', 1000)).some((s) => s.session.id === created.session.id));
      assert.deepEqual(await other.sessions.listForTechnician(tenantId, tech, 10), []);
    });

    it('lists the sessions created in a range, oldest first, each once, a taken request by the time it was taken', async () => {
      const at = (iso: string) => aSession({ id: randomUUID(), createdAt: iso, updatedAt: iso });
      const before = at('2019-02-28T23:59:59.999Z'), first = at('2019-03-01T10:00:00.000Z'), lateDay1 = at('2019-03-01T23:59:59.999Z');
      const day2 = at('2019-03-02T00:00:00.000Z'), day3 = at('2019-03-03T12:00:00.000Z'), atEnd = at('2019-03-04T00:00:00.000Z');
      for (const session of [day3, atEnd, first, before, lateDay1, day2]) await store.sessions.create(session);
      // Asked before the range, taken inside it: its creation time moves to when it was taken.
      const asked = await store.sessions.create(aSession({ ...at('2019-02-20T09:00:00.000Z'), state: 'asked', technician: { aadObjectId: '', name: '' } }));
      const takenAt = '2019-03-02T05:00:00.000Z';
      const taken = await store.sessions.replace({ ...asked.session, state: 'requested', technician: { aadObjectId: randomUUID(), name: 'T' }, createdAt: takenAt, takenAt, updatedAt: takenAt }, asked.etag);
      const listed: string[] = [];
      for await (const { session, etag } of other.sessions.listCreated(new Date('2019-03-01T00:00:00Z'), new Date('2019-03-04T00:00:00Z'))) {
        listed.push(session.id);
        if (session.id === taken.session.id) assert.equal(etag, taken.etag, 'listed at its version, ready for a conditional write');
      }
      assert.deepEqual(listed, [first, lateDay1, day2, taken.session, day3].map((s) => s.id));
      const none: unknown[] = [];
      for await (const found of store.sessions.listCreated(new Date('2019-03-05T00:00:00Z'), new Date('2019-03-06T00:00:00Z'))) none.push(found);
      assert.deepEqual(none, []);
    });

    it('deletes the sessions created before the retention cut-off, each once across instances, and keeps younger ones', async () => {
      const tenantId = randomUUID(), tech = randomUUID();
      const at = (iso: string, state: Session['state'] = 'reported') => aSession({ id: randomUUID(), tenantId, state, technician: { aadObjectId: tech, name: 'A' }, createdAt: iso, updatedAt: iso });
      const old = [at('2017-05-01T10:00:00.000Z'), at('2017-05-01T11:00:00.000Z', 'submitted'), at('2017-12-31T23:59:59.999Z', 'asked')];
      const young = at('2018-01-01T00:00:00.000Z');
      for (const session of [...old, young]) await store.sessions.create(session);
      // Asked before the cut-off and taken after it: kept, by the time it was taken.
      const asked = await store.sessions.create(at('2017-06-01T09:00:00.000Z', 'asked'));
      const taken = await store.sessions.replace({ ...asked.session, state: 'requested', createdAt: '2018-02-01T09:00:00.000Z', takenAt: '2018-02-01T09:00:00.000Z' }, asked.etag);
      const cutOff = new Date('2018-01-01T00:00:00.000Z');
      assert.equal(await store.sessions.deleteCreatedBefore(cutOff, 1), 1, 'at most the limit');
      const [a, b] = await Promise.all([store.sessions.deleteCreatedBefore(cutOff, 100), other.sessions.deleteCreatedBefore(cutOff, 100)]);
      assert.equal(a + b, 2, 'each of the other two deleted once');
      assert.equal(await other.sessions.deleteCreatedBefore(cutOff, 100), 0, 'nothing left to delete: idempotent');
      for (const session of old) assert.equal(await other.sessions.get(session.id), undefined, session.createdAt);
      assert.deepEqual((await other.sessions.listForTechnician(tenantId, tech, 10)).map((s) => s.id).sort(), [young.id, taken.session.id].sort());
      assert.ok(!(await store.sessions.listInState('submitted', 1000)).some((s) => s.session.id === old[1].id));
      assert.ok(!(await store.sessions.listInState('asked', 1000)).some((s) => s.session.id === old[2].id));
      const left: string[] = [];
      for await (const { session } of store.sessions.listCreated(new Date('2017-01-01T00:00:00Z'), new Date('2018-12-31T00:00:00Z'))) if (session.tenantId === tenantId) left.push(session.id);
      assert.deepEqual(left, [young.id, taken.session.id]);
    });

    it('closes sessions left requested past the abandon time as cancelled, once across instances; a younger or logged one stays', async () => {
      const now = new Date('2016-01-02T12:00:00.000Z');
      const at = (updatedAt: string, state: Session['state'] = 'requested') => aSession({ id: randomUUID(), state, createdAt: updatedAt, updatedAt });
      const stale = [at('2016-01-01T09:00:00.000Z'), at('2016-01-01T12:00:00.000Z')];
      const young = at('2016-01-01T12:00:00.001Z'), logged = at('2016-01-01T01:00:00.000Z', 'submitted');
      for (const session of [...stale, young, logged]) await store.sessions.create(session);
      const sweeps = [store, other].map((s) => new AbandonSessions(s.sessions, 24, silentLogger, () => now));
      const closed = await Promise.all(sweeps.map((sweep) => sweep.run()));
      assert.equal(closed[0] + closed[1], 2);
      assert.equal(await sweeps[0].run(), 0, 'idempotent');
      for (const { id } of stale) {
        const session = (await other.sessions.get(id))!.session;
        assert.deepEqual([session.state, session.abandonedAt, session.cancelledAt, session.updatedAt], ['cancelled', now.toISOString(), now.toISOString(), now.toISOString()]);
      }
      assert.equal((await store.sessions.get(young.id))?.session.state, 'requested');
      assert.equal((await store.sessions.get(logged.id))?.session.state, 'submitted');
      assert.ok(!(await store.sessions.listInState('requested', 1000)).some((s) => stale.some((x) => x.id === s.session.id)));
    });

    it('deletes sessions past SESSION_RETENTION_DAYS through the sweep, and keeps everything when it is 0', async () => {
      const old = aSession({ id: randomUUID(), state: 'reported', createdAt: '2015-03-01T00:00:00.000Z', updatedAt: '2015-03-01T00:00:00.000Z' });
      await store.sessions.create(old);
      const now = () => new Date('2016-04-05T00:00:00.000Z');
      assert.equal(await new ExpireSessions(store.sessions, 0, silentLogger, now).run(), 0);
      assert.ok(await store.sessions.get(old.id));
      assert.equal(await new ExpireSessions(other.sessions, 400, silentLogger, now).run(), 1);
      assert.equal(await store.sessions.get(old.id), undefined);
    });

    it("counts Intune's write budget across instances, and says when there is room again", async () => {
      const limit = 2;
      const window = 20_000;
      const t = Date.now();
      assert.deepEqual(await store.writeBudget.take(limit, window, t, 1, t), { taken: 1 });
      assert.deepEqual(await other.writeBudget.take(limit, window, t + 1, 1, t + 1), { taken: 1 });
      assert.deepEqual(await store.writeBudget.take(limit, window, t + 2, 1, t + 2), { taken: 0, at: t + window });
      assert.deepEqual(await other.writeBudget.take(limit, window, t + window, 1, t + window), { taken: 1 }, 'the first write left the window');
      const racing = await Promise.all([store, other, store, other].map((s, i) => s.writeBudget.take(limit, window, t + 3 * window + i, 1, t + 3 * window + i)));
      assert.equal(racing.reduce((n, r) => n + r.taken, 0), limit, 'of writers racing, exactly the budget gets through');
    });

    it('takes several writes at once, as many as there is room for, and counts a write until its answer came', async () => {
      const limit = 2;
      const window = 20_000;
      const t = Date.now() + 10 * window;
      // Recorded at their deadline (t + 5 s): still counted a window after they were sent, until settled.
      assert.deepEqual(await store.writeBudget.take(limit, window, t, 2, t + 5000), { taken: 2 });
      assert.deepEqual(await other.writeBudget.take(limit, window, t + window + 1, 1, t + window + 1), { taken: 0, at: t + 5000 + window }, 'held until the deadline');
      // Both answers came 100 ms after they were sent (a write already gone is skipped): the window moves on from there.
      await other.writeBudget.settle([{ recorded: t + 5000, at: t + 100 }, { recorded: t + 5000, at: t + 100 }, { recorded: t - 999_999, at: t }]);
      const later = t + window + 101;
      assert.deepEqual(await store.writeBudget.take(limit, window, later, 3, later), { taken: 2, at: later + window }, 'two of three, and when the third fits');
    });

    it('queues a report, hands it out as attempt 1, and removes it when completed (twice is harmless)', async () => {
      await drain();
      const sessionId = randomUUID();
      await store.outbox.enqueue(sessionId);
      const received = await other.outbox.receive(16, 1);
      assert.deepEqual(received.map(({ sessionId, attempt }) => ({ sessionId, attempt })), [{ sessionId, attempt: 1 }]);
      await other.outbox.complete(received[0]);
      await other.outbox.complete(received[0]);
      await engine.advance(1000);
      assert.deepEqual(await store.outbox.receive(16, 30), [], 'deleted, not only hidden');
    });

    it('hides a received message, and brings it back as attempt 2 once its visibility lapses; the stale receipt settles nothing', async () => {
      await drain();
      const sessionId = randomUUID();
      await store.outbox.enqueue(sessionId);
      const [first] = await store.outbox.receive(16, 1);
      assert.deepEqual(await other.outbox.receive(16, 30), [], 'still hidden');
      await engine.advance(1000);
      const [again] = await other.outbox.receive(16, 30);
      assert.deepEqual([again?.sessionId, again?.attempt], [sessionId, 2]);
      await store.outbox.complete(first);
      await store.outbox.retryLater(first, 0);
      assert.deepEqual(await store.outbox.receive(16, 30), [], 'the stale receipt neither deleted nor released it');
      await other.outbox.complete(again);
    });

    it('holds back a report put off with retryLater, or queued with a delay, until the delay has passed', async () => {
      await drain();
      const retried = randomUUID(), delayed = randomUUID();
      await store.outbox.enqueue(retried);
      const [message] = await store.outbox.receive(16, 30);
      await store.outbox.retryLater(message, 2);
      await store.outbox.enqueue(delayed, 2);
      assert.deepEqual(await other.outbox.receive(16, 30), []);
      await engine.advance(2000);
      const back = await other.outbox.receive(16, 30);
      assert.deepEqual(back.map((m) => [m.sessionId, m.attempt]).sort(), [[delayed, 1], [retried, 2]].sort());
      for (const m of back) await other.outbox.complete(m);
    });

    it('hands out messages oldest first, each to one receiver only when two receive at once', async () => {
      await drain();
      const ids = Array.from({ length: 12 }, () => randomUUID());
      for (const id of ids) await store.outbox.enqueue(id);
      const [a, b] = await Promise.all([store.outbox.receive(8, 30), other.outbox.receive(8, 30)]);
      const got = [...a, ...b].map((m) => m.sessionId);
      assert.equal(got.length, 12);
      assert.equal(new Set(got).size, 12, 'no message went to both');
      const first = a.length >= b.length ? a : b;
      assert.deepEqual(first.map((m) => m.sessionId), ids.filter((id) => first.some((m) => m.sessionId === id)), 'in the order queued');
      for (const m of a) await store.outbox.complete(m);
      for (const m of b) await other.outbox.complete(m);
    });

    it('claims a key once across instances, and again after a release', async () => {
      const key = `turn:${randomUUID()}:1`;
      const claims = await Promise.all([store.once.claim(key), other.once.claim(key), store.once.claim(key)]);
      assert.deepEqual(claims.filter(Boolean).length, 1);
      await other.once.release(key);
      assert.equal(await store.once.claim(key), true);
    });

    it('parks a sign-in request and lets exactly one of two takers have it', async () => {
      const exchangeId = randomUUID();
      const pending = { exchangeId, tenantId: 't', aadObjectId: 'u', conversationId: 'c', command: { kind: 'byName' as const, deviceName: 'Kim & Lee\'s iPad #2' }, createdAt: new Date().toISOString() };
      await store.signIns.save(pending);
      const [read1, read2] = await Promise.all([store.signIns.read(exchangeId), other.signIns.read(exchangeId)]);
      assert.deepEqual(read1?.pending, pending);
      const taken = await Promise.all([store.signIns.take(exchangeId, read1!.etag), other.signIns.take(exchangeId, read2!.etag)]);
      assert.deepEqual(taken.filter(Boolean).length, 1);
      assert.equal(await store.signIns.read(exchangeId), undefined);
    });

    it('expires once-claims and parked sign-ins past their time to live, and keeps younger ones', async () => {
      const old = `old:${randomUUID()}`, oldSignIn = randomUUID();
      await store.once.claim(old);
      await store.signIns.save({ exchangeId: oldSignIn, tenantId: 't', aadObjectId: 'u', conversationId: 'c', command: { kind: 'byId', deviceId: 'd' }, createdAt: new Date().toISOString() });
      await engine.advance(1500);
      const young = `young:${randomUUID()}`;
      await store.once.claim(young);
      const removed = await other.expire({ onceClaimSec: 1, pendingSignInSec: 1 });
      assert.ok(removed >= 2, `removed ${removed}`);
      assert.equal(await store.once.claim(old), true, 'the expired claim is gone');
      assert.equal(await store.once.claim(young), false, 'the young claim is kept');
      assert.equal(await store.signIns.read(oldSignIn), undefined);
    });

    it("tells the outbox's depth and the age of its oldest report, and an empty outbox as 0 and 0", async () => {
      await drain();
      assert.deepEqual(await store.outbox.stats(), { depth: 0, oldestAgeSec: 0 });
      const first = randomUUID(), second = randomUUID();
      await store.outbox.enqueue(first);
      await engine.advance(2000);
      await other.outbox.enqueue(second);
      const stats = await other.outbox.stats();
      assert.equal(stats.depth, 2);
      // Azure's count is approximate and its clock its own: the first message, queued two seconds or so ago.
      assert.ok(stats.oldestAgeSec >= 2 && stats.oldestAgeSec <= 4, `oldest ${stats.oldestAgeSec} s`);
      await drain();
      assert.deepEqual(await store.outbox.stats(), { depth: 0, oldestAgeSec: 0 });
    });

    it('answers the readiness probe', async () => {
      await store.ping();
    });
  });
}
