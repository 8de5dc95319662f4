import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { DeliverReport, DEFAULT_DELIVERY_POLICY } from '../../src/assist/deliverReport';
import { GraphFailure } from '../../src/graph/graphErrors';
import type { IntuneGraph, RemoteAssistanceReport } from '../../src/graph/types';
import type { Session } from '../../src/sessions/session';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore';
import { aSession } from './fixtures';
import { tempDir } from '../support/tempDir';

const user = { id: 'tech-1', displayName: 'Alex Tech', givenName: 'Alex', surname: 'Tech', mail: 'alex@contoso.example', userPrincipalName: 'alex@contoso.example' };
function fakeGraph(report: (r: RemoteAssistanceReport) => Promise<void>): IntuneGraph {
  return {
    findDevicesByName: async () => [],
    findDevicesContaining: async () => [],
    getDevice: async () => { throw new Error('unused'); },
    requestRemoteAssistance: async () => {},
    requestRemoteAssistanceFor: async () => {},
    findUsersByAddress: async () => [],
    findUsersByName: async () => [],
    getRemoteAssistanceSession: async () => ({ sessionUrl: null, errorDetails: null }),
    getUser: async () => user,
    listUserDevices: async () => [],
    reportRemoteAssistance: report,
    isMemberOf: async () => true,
  };
}

const report = { sessionType: 'viewOnly' as const, startDateTime: '2026-11-23T10:00:00+00:00', endDateTime: '2026-11-23T10:30:00+00:00', helperDeviceId: null };
const log = pino({ level: 'silent' });

async function setUp(state: Session['state'], send: (r: RemoteAssistanceReport) => Promise<void>) {
  const store = openSqliteStore(tempDir('assistdesk-deliver-')).sessions;
  const clock = { now: new Date('2026-11-23T11:00:00Z') };
  const session = aSession({ state, report, submittedAt: clock.now.toISOString() });
  await store.create(session);
  const shown: Session[] = [];
  const counted: string[] = [];
  const deliver = new DeliverReport(fakeGraph(send), store, { show: async (s) => void shown.push(s), showForm: async () => {}, tellNotRequested: async () => {} }, 'full', log, DEFAULT_DELIVERY_POLICY, () => clock.now, () => 0.5, {
    report: (outcome) => void counted.push(outcome),
  });
  return { store, session, shown, deliver, clock, counted };
}

describe('delivering a queued report', () => {
  it('reports a submitted session once, records it and shows it', async () => {
    const sent: RemoteAssistanceReport[] = [];
    const { store, session, shown, deliver, counted } = await setUp('submitted', async (r) => void sent.push(r));
    assert.deepEqual(await deliver.run(session.id, 1), { outcome: 'done' });
    assert.equal(sent.length, 1);
    assert.deepEqual(counted, ['delivered']);
    assert.equal(sent[0].id, session.id);
    assert.equal((await store.get(session.id))!.session.state, 'reported');
    assert.equal(shown[0].state, 'reported');
    assert.deepEqual(await deliver.run(session.id, 2), { outcome: 'done' });
    assert.equal(sent.length, 1, 'a second delivery of the message sends nothing');
    assert.deepEqual(counted, ['delivered'], 'and counts nothing');
  });

  it("asks Graph for a person's names once in five minutes, however many of their sessions are reported", async () => {
    const { store, session, deliver, clock } = await setUp('submitted', async () => {});
    const asked: string[] = [];
    const graph = (deliver as unknown as { graph: IntuneGraph }).graph;
    graph.getUser = async (id) => (asked.push(id), { ...user, id });
    const second = aSession({ id: '00000000-0000-4000-8000-000000000002', state: 'submitted', report, submittedAt: clock.now.toISOString() });
    const third = aSession({ id: '00000000-0000-4000-8000-000000000003', state: 'submitted', report, submittedAt: clock.now.toISOString() });
    await store.create(second);
    await store.create(third);
    const people = [session.technician.aadObjectId, session.device.userId].sort();
    assert.deepEqual([await deliver.run(session.id, 1), await deliver.run(second.id, 1)], [{ outcome: 'done' }, { outcome: 'done' }]);
    assert.deepEqual(asked.sort(), people, 'the technician and the device user, once');
    clock.now = new Date(clock.now.getTime() + 5 * 60_000);
    assert.deepEqual(await deliver.run(third.id, 1), { outcome: 'done' });
    assert.deepEqual(asked.sort(), [...people, ...people].sort(), 'read again after five minutes');
  });

  it('backs off on transient failures, honouring Retry-After, and fails for good once the retry window has passed', async () => {
    const { store, session, shown, deliver, clock, counted } = await setUp('submitted', async () => {
      throw new GraphFailure('report', 'busy', 429, 'TooManyRequests', undefined, 7);
    });
    assert.deepEqual(await deliver.run(session.id, 1), { outcome: 'retry', afterSec: 7 });
    assert.deepEqual(await deliver.run(session.id, 4), { outcome: 'retry', afterSec: 8 });
    assert.equal((await store.get(session.id))!.session.nextAttemptAt, new Date(clock.now.getTime() + 8000).toISOString());
    // Many attempts within the window (an Intune outage of hours) are still retried, the backoff capped.
    assert.deepEqual(await deliver.run(session.id, 40), { outcome: 'retry', afterSec: DEFAULT_DELIVERY_POLICY.backoffMaxSec });
    clock.now = new Date(clock.now.getTime() + (DEFAULT_DELIVERY_POLICY.retryWindowSec - 1) * 1000);
    assert.equal((await deliver.run(session.id, 41)).outcome, 'retry');
    assert.equal((await store.get(session.id))!.session.state, 'submitted');
    clock.now = new Date(clock.now.getTime() + 2000);
    assert.deepEqual(await deliver.run(session.id, 42), { outcome: 'done' });
    const failed = (await store.get(session.id))!.session;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure?.kind, 'busy');
    assert.equal(shown.at(-1)?.state, 'failed');
    assert.deepEqual(counted, ['retried', 'retried', 'retried', 'retried', 'failed'], 'each attempt counted by its outcome');
  });

  it('fails at once on a permanent refusal', async () => {
    const { store, session, deliver } = await setUp('submitted', async () => {
      throw new GraphFailure('report', 'forbidden', 403, 'Forbidden', undefined);
    });
    assert.deepEqual(await deliver.run(session.id, 1), { outcome: 'done' });
    assert.equal((await store.get(session.id))!.session.state, 'failed');
  });

  it('leaves a session another worker holds, and waits for a submit still being written', async () => {
    const { store, session, deliver, clock } = await setUp('submitted', async () => assert.fail('must not send'));
    const stored = (await store.get(session.id))!;
    await store.replace({ ...stored.session, deliveryLeaseUntil: new Date(clock.now.getTime() + 11_500).toISOString() }, stored.etag);
    const held = await deliver.run(session.id, 1);
    assert.equal(held.outcome, 'retry');
    assert.deepEqual(held, { outcome: 'retry', afterSec: 12 });

    const requested = await setUp('requested', async () => assert.fail('must not send'));
    assert.deepEqual(await requested.deliver.run(requested.session.id, 1), { outcome: 'retry', afterSec: 2 });
    assert.deepEqual(await requested.deliver.run(requested.session.id, 3), { outcome: 'done' });
  });
});
