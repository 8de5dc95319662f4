import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller } from '../../src/assist/caller';
import { SubmitReport } from '../../src/assist/submitReport';
import type { Session } from '../../src/sessions/session';
import type { SessionStore } from '../../src/store/ports';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore';
import { tempDir } from '../support/tempDir';
import { aSession } from './fixtures';

const caller: Caller = { aadObjectId: 'tech-1', name: 'Alex Tech', teamsId: '29:1tech-1', serviceUrl: 'https://smba.example/', conversationType: 'personal', tenantId: 'tenant-1', conversationId: 'conv-1', timeZone: 'Europe/Lisbon', locale: 'en-US', activityId: 'a-1', replyToId: 'card-1' };
const card = { activityId: 'card-1', conversation: { id: 'conv-1' } };
const oneClick = { sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'none' };

/** A store on which `before` runs once, just before the submit's own write: another writer got there first. */
function racedBy(store: SessionStore, before: (session: Session) => Promise<void>): SessionStore {
  let raced = false;
  return {
    create: (session) => store.create(session),
    get: (id) => store.get(id),
    listForTechnician: (...args) => store.listForTechnician(...args),
    listInState: (state, limit) => store.listInState(state, limit),
    listCreated: (from, to) => store.listCreated(from, to),
    deleteCreatedBefore: (cutOff, limit) => store.deleteCreatedBefore(cutOff, limit),
    delete: (stored) => store.delete(stored),
    replace: async (session, etag) => {
      if (!raced) {
        raced = true;
        await before(session);
      }
      return store.replace(session, etag);
    },
  };
}

async function setUp() {
  const store = openSqliteStore(tempDir('assistdesk-submit-')).sessions;
  const session = aSession({ createdAt: '2026-11-23T10:00:00.000Z' });
  await store.create(session);
  const queued: string[] = [];
  const queue = { enqueue: async (id: string) => void queued.push(id) };
  const write = async (change: Partial<Session>) => {
    const current = (await store.get(session.id))!;
    await store.replace({ ...current.session, ...change }, current.etag);
  };
  return { store, session, queued, queue, write, now: () => new Date('2026-11-23T10:30:00Z') };
}

describe('submitting while something else writes the session', () => {
  it("still submits when Intune's session link was recorded a moment before, and keeps the link", async () => {
    const { store, session, queued, queue, write, now } = await setUp();
    const link = { sessionUrl: 'https://start.example/s/1', at: '2026-11-23T10:00:05Z' };
    const submit = new SubmitReport(racedBy(store, () => write({ assistance: link })), queue, now);
    const outcome = await submit.run(caller, session.id, oneClick, card);
    assert.equal(outcome.kind, 'closed');
    const stored = (await store.get(session.id))!.session;
    assert.equal(stored.state, 'submitted');
    assert.deepEqual(stored.assistance, link);
    assert.deepEqual(queued, [session.id], 'queued once');
  });

  it('shows the true state when the other writer was another click', async () => {
    const { store, session, queue, write, now } = await setUp();
    const submit = new SubmitReport(racedBy(store, () => write({ state: 'cancelled', cancelledAt: '2026-11-23T10:29:00Z' })), queue, now);
    const outcome = await submit.run(caller, session.id, oneClick, card);
    assert.equal(outcome.kind, 'closed');
    assert.equal(outcome.kind === 'closed' && outcome.session.state, 'cancelled');
  });
});
