import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { DeliverReport, DEFAULT_DELIVERY_POLICY } from '../../src/assist/deliverReport';
import { GraphFailure } from '../../src/graph/graphErrors';
import type { IntuneGraph, RemoteAssistanceReport } from '../../src/graph/types';
import type { Session } from '../../src/sessions/session';
import { SessionConflictError, type SessionStore, type StoredSession } from '../../src/sessions/sessionStore';
import { aSession } from './fixtures';

/** A store with ETag semantics, in memory: enough to drive the delivery rules. */
class FakeStore implements SessionStore {
  sessions = new Map<string, StoredSession>();
  private version = 0;
  async create(session: Session) {
    return this.put(session);
  }
  async get(id: string) {
    return structuredClone(this.sessions.get(id));
  }
  async replace(session: Session, etag: string) {
    if (this.sessions.get(session.id)?.etag !== etag) throw new SessionConflictError(session.id);
    return this.put(session);
  }
  async listForTechnician() {
    return [];
  }
  async ping() {}
  private put(session: Session) {
    const stored = { session: structuredClone(session), etag: String(++this.version) };
    this.sessions.set(session.id, stored);
    return structuredClone(stored);
  }
}

const user = { id: 'tech-1', displayName: 'Alex Tech', givenName: 'Alex', surname: 'Tech', mail: 'alex@contoso.example', userPrincipalName: 'alex@contoso.example' };
function fakeGraph(report: (r: RemoteAssistanceReport) => Promise<void>): IntuneGraph {
  return {
    findDevicesByName: async () => [],
    getDevice: async () => { throw new Error('unused'); },
    requestRemoteAssistance: async () => {},
    getUser: async () => user,
    listUserDevices: async () => [],
    reportRemoteAssistance: report,
    isMemberOf: async () => true,
  };
}

const report = { sessionType: 'viewOnly' as const, startDateTime: '2026-11-23T10:00:00+00:00', endDateTime: '2026-11-23T10:30:00+00:00', helperDeviceId: null };
const log = pino({ level: 'silent' });

async function setUp(state: Session['state'], send: (r: RemoteAssistanceReport) => Promise<void>) {
  const store = new FakeStore();
  const session = aSession({ state, report });
  await store.create(session);
  const shown: Session[] = [];
  const deliver = new DeliverReport(fakeGraph(send), store, { show: async (s) => void shown.push(s) }, 'full', log, DEFAULT_DELIVERY_POLICY, () => new Date(), () => 0.5);
  return { store, session, shown, deliver };
}

describe('delivering a queued report', () => {
  it('reports a submitted session once, records it and shows it', async () => {
    const sent: RemoteAssistanceReport[] = [];
    const { store, session, shown, deliver } = await setUp('submitted', async (r) => void sent.push(r));
    assert.deepEqual(await deliver.run(session.id, 1), { outcome: 'done' });
    assert.equal(sent.length, 1);
    assert.equal(sent[0].id, session.id);
    assert.equal((await store.get(session.id))!.session.state, 'reported');
    assert.equal(shown[0].state, 'reported');
    assert.deepEqual(await deliver.run(session.id, 2), { outcome: 'done' });
    assert.equal(sent.length, 1, 'a second delivery of the message sends nothing');
  });

  it('backs off on transient failures, honouring Retry-After, and fails for good after the last attempt', async () => {
    const { store, session, shown, deliver } = await setUp('submitted', async () => {
      throw new GraphFailure('report', 'busy', 429, 'TooManyRequests', undefined, 7);
    });
    assert.deepEqual(await deliver.run(session.id, 1), { outcome: 'retry', afterSec: 7 });
    assert.deepEqual(await deliver.run(session.id, 4), { outcome: 'retry', afterSec: 8 });
    assert.equal((await store.get(session.id))!.session.state, 'submitted');
    assert.deepEqual(await deliver.run(session.id, DEFAULT_DELIVERY_POLICY.maxAttempts), { outcome: 'done' });
    const failed = (await store.get(session.id))!.session;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure?.kind, 'busy');
    assert.equal(shown.at(-1)?.state, 'failed');
  });

  it('fails at once on a permanent refusal', async () => {
    const { store, session, deliver } = await setUp('submitted', async () => {
      throw new GraphFailure('report', 'forbidden', 403, 'Forbidden', undefined);
    });
    assert.deepEqual(await deliver.run(session.id, 1), { outcome: 'done' });
    assert.equal((await store.get(session.id))!.session.state, 'failed');
  });

  it('leaves a session another worker holds, and waits for a submit still being written', async () => {
    const { store, session, deliver } = await setUp('submitted', async () => assert.fail('must not send'));
    const stored = (await store.get(session.id))!;
    await store.replace({ ...stored.session, deliveryLeaseUntil: new Date(Date.now() + 12_000).toISOString() }, stored.etag);
    const held = await deliver.run(session.id, 1);
    assert.equal(held.outcome, 'retry');
    assert.ok(held.outcome === 'retry' && held.afterSec >= 11 && held.afterSec <= 12);

    const requested = await setUp('requested', async () => assert.fail('must not send'));
    assert.deepEqual(await requested.deliver.run(requested.session.id, 1), { outcome: 'retry', afterSec: 2 });
    assert.deepEqual(await requested.deliver.run(requested.session.id, 3), { outcome: 'done' });
  });
});
