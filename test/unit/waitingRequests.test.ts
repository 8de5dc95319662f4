// A request waiting for Intune's write budget: given up in time when room never comes (and never sent after),
// and, when its process is gone, found by the housekeeping, deleted and told. On the real SQLite engine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { Caller } from '../../src/assist/caller';
import { GiveUpLostWaits } from '../../src/assist/giveUpLostWaits';
import type { SessionCards } from '../../src/assist/ports';
import { StartAssistance, WAIT_GIVE_UP_MS } from '../../src/assist/startAssistance';
import type { IntuneGraph, WriteOptions } from '../../src/graph/types';
import { BudgetExhausted } from '../../src/graph/writePacer';
import type { Session } from '../../src/sessions/session';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore';
import { processGone, THIS_PROCESS } from '../../src/worker/processIdentity';
import { tempDir } from '../support/tempDir';
import { aSession, laptop } from './fixtures';

const log = pino({ level: 'silent' });
const caller: Caller = {
  aadObjectId: 'tech-1', name: 'Alex Tech', teamsId: '29:alex', serviceUrl: 'https://smba.example/', conversationType: 'personal',
  tenantId: 'tenant-1', conversationId: 'conv-1', timeZone: 'UTC', locale: 'en-US', activityId: 'act-1',
};

describe('processGone', () => {
  it('knows this machine\'s processes only', async () => {
    assert.equal(processGone(THIS_PROCESS), false, 'this process');
    assert.equal(processGone({ ...THIS_PROCESS, startedAt: '2020-01-01T00:00:00.000Z' }), true, 'this pid, an earlier start');
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    assert.equal(processGone({ ...THIS_PROCESS, pid: child.pid! }), true, 'an exited process');
    assert.equal(processGone({ host: 'another-machine', pid: child.pid!, startedAt: THIS_PROCESS.startedAt }), false, 'another machine: cannot tell');
  });
});

describe('a request waiting for write budget', () => {
  it('is given up when room does not come in time: the record goes, the claim is released, and nothing is sent later', async () => {
    const store = openSqliteStore(tempDir('assistdesk-waiting-'));
    let release!: () => void;
    const room = new Promise<void>((resolve) => (release = resolve));
    let sent = 0;
    const graph = {
      findDevicesByName: async () => [laptop],
      listUserDevices: async () => [],
      async requestRemoteAssistance(_id: string, options: WriteOptions) {
        // Over budget for a turn, with room said to come at once; patient, room comes only after the give-up.
        if (!options.patient) throw new BudgetExhausted(Date.now() - WAIT_GIVE_UP_MS + 200);
        await room;
        if (options.stillWanted && !options.stillWanted()) throw new Error('given up: not sent');
        sent++;
      },
    } as unknown as IntuneGraph;
    const start = new StartAssistance(graph, store.sessions, store.once, log, (id) => `https://intune.example/${id}`, THIS_PROCESS);
    try {
      const outcome = await start.byName(caller, 'LAPTOP-42');
      assert.equal(outcome.kind, 'waiting');
      if (outcome.kind !== 'waiting') return;
      const held = (await store.sessions.get(outcome.sessionId))?.session;
      assert.equal(held?.state, 'waiting', 'kept while it waits');
      assert.deepEqual(held?.waitingOwner, THIS_PROCESS);

      assert.deepEqual(await outcome.later, { kind: 'abandoned', reason: 'timedOut', deviceName: 'LAPTOP-42' });
      assert.equal(await store.sessions.get(outcome.sessionId), undefined, 'the record went');
      assert.equal(await store.once.claim('turn:conv-1:act-1'), true, 'the message may be sent again');
      release();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(sent, 0, 'room came later: still not sent');
    } finally {
      await store.close();
    }
  });
});

describe('GiveUpLostWaits', () => {
  const waiting = (id: string, owner: Session['waitingOwner'], until: number) =>
    aSession({ id, state: 'waiting', waitingOwner: owner, waitingUntil: new Date(until).toISOString(), card: { activityId: `msg-${id}`, conversation: { id: 'conv-1' } } });

  it('tells at once when the process was this machine\'s and is gone; by time when it was another machine\'s; once', async () => {
    const store = openSqliteStore(tempDir('assistdesk-lost-'));
    const told: string[] = [];
    const cards = { tellNotRequested: async (s: Session) => void told.push(s.id) } as unknown as SessionCards;
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    const t0 = Date.now();
    try {
      await store.sessions.create(waiting('dead-here', { ...THIS_PROCESS, pid: child.pid! }, t0 + 30_000));
      await store.sessions.create(waiting('alive-here', THIS_PROCESS, t0 + 30_000));
      await store.sessions.create(waiting('elsewhere', { host: 'another-machine', pid: 1, startedAt: THIS_PROCESS.startedAt }, t0 - 30_000));
      await store.sessions.create(aSession({ id: 'requested' }));

      let now = t0;
      const sweep = new GiveUpLostWaits(store.sessions, cards, (owner) => processGone(owner), log, () => now);
      assert.equal(await sweep.run(), 1);
      assert.deepEqual(told, ['dead-here']);
      assert.equal(await store.sessions.get('dead-here'), undefined);

      now = t0 + 31_000; // another machine's request: a minute past its waitingUntil
      assert.equal(await sweep.run(), 1);
      assert.deepEqual(told, ['dead-here', 'elsewhere']);
      assert.ok(await store.sessions.get('alive-here'), "this process's own request stays while it is alive");
      assert.equal((await store.sessions.get('requested'))?.session.state, 'requested', 'other states untouched');
      assert.equal(await new GiveUpLostWaits(store.sessions, cards, () => true, log, () => now).run(), 1, 'only alive-here was left');
      assert.equal(told.length, 3);
    } finally {
      await store.close();
    }
  });
});
