import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { LinkWatch, SessionCards } from '../../src/assist/ports';
import { defaultInputs } from '../../src/assist/sessionInput';
import { ShowSessionLink } from '../../src/assist/showSessionLink';
import { GraphFailure } from '../../src/graph/graphErrors';
import type { RemoteAssistanceSessionState } from '../../src/graph/types';
import type { Session } from '../../src/sessions/session';
import type { SessionStore } from '../../src/store/ports';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore';
import { tempDir } from '../support/tempDir';
import { aSession } from './fixtures';

const log = pino({ level: 'silent' });
const NOW = new Date('2026-11-23T10:00:05Z');
const LINK = 'https://start.teamviewer.example/s/42';

interface Shown { as: 'form' | 'record'; session: Session; inputs?: unknown }

/**
 * The use case over a real (SQLite) store, with Graph answering `answer` and the cards recorded. `during`
 * hooks let another writer (the technician's submit) land at the worst moments.
 */
async function setUp(answer: (store: SessionStore) => Promise<RemoteAssistanceSessionState>, during: { showForm?: (store: SessionStore) => Promise<void> } = {}) {
  const store = openSqliteStore(tempDir('assistdesk-link-')).sessions;
  const session = aSession({ intuneUrl: 'https://intune.microsoft.com/#view/x' });
  await store.create(session);
  const shown: Shown[] = [];
  let asked = 0;
  const cards: SessionCards = {
    show: async (s) => void shown.push({ as: 'record', session: s }),
    tellNotRequested: async () => assert.fail('no waiting request here'),
    showForm: async (s, inputs) => {
      await during.showForm?.(store);
      shown.push({ as: 'form', session: s, inputs });
    },
  };
  const graph = { getRemoteAssistanceSession: async () => (asked++, answer(store)) };
  const watch: LinkWatch = { sessionId: session.id, deviceId: session.device.id, card: { activityId: 'card-1', conversation: { id: 'conv-1' } }, inputs: defaultInputs(session.helperDevices, 'elevation') };
  const show = new ShowSessionLink(graph, store, cards, log, () => NOW);
  return { store, session, shown, watch, show, asked: () => asked };
}

const submit = async (store: SessionStore, id: string) => {
  const current = (await store.get(id))!;
  await store.replace({ ...current.session, state: 'submitted' }, current.etag);
};

describe('showing the session link once Intune gives it', () => {
  it('looks again while Intune has said nothing (empty strings, as Graph sends them)', async () => {
    const { show, watch, shown, store, session } = await setUp(async () => ({ sessionUrl: '', errorDetails: '' }));
    assert.deepEqual(await show.run(watch), { kind: 'again' });
    assert.deepEqual(shown, []);
    assert.equal((await store.get(session.id))!.session.assistance, undefined);
  });

  it('stores the link with where the card is, and shows the form once with the inputs it was posted with', async () => {
    const { show, watch, shown, store, session } = await setUp(async () => ({ sessionUrl: ` ${LINK} `, errorDetails: '' }));
    assert.deepEqual(await show.run(watch), { kind: 'done' });
    const stored = (await store.get(session.id))!.session;
    assert.deepEqual(stored.assistance, { sessionUrl: LINK, at: NOW.toISOString() });
    assert.deepEqual(stored.card, watch.card);
    assert.equal(stored.state, 'requested');
    assert.deepEqual(shown.map((s) => [s.as, s.session.assistance?.sessionUrl, s.inputs]), [['form', LINK, watch.inputs]]);
    assert.deepEqual(await show.run(watch), { kind: 'done' }, 'a second look shows nothing more');
    assert.equal(shown.length, 1);
  });

  it("keeps Intune's error (at most 500 characters) and refuses a link that is not https", async () => {
    const { show, watch, shown, store, session } = await setUp(async () => ({ sessionUrl: 'javascript:alert(1)', errorDetails: `Partner not onboarded. ${'x'.repeat(600)}` }));
    assert.deepEqual(await show.run(watch), { kind: 'done' });
    const found = (await store.get(session.id))!.session.assistance!;
    assert.equal(found.sessionUrl, undefined);
    assert.equal(found.linkRefused, true);
    assert.equal(Array.from(found.errorDetails!).length, 500);
    assert.ok(found.errorDetails!.startsWith('Partner not onboarded.'));
    assert.equal(shown.length, 1);
  });

  it('asks Graph nothing once the technician has submitted or cancelled', async () => {
    const { show, watch, shown, store, session, asked } = await setUp(async () => ({ sessionUrl: LINK, errorDetails: '' }));
    await submit(store, session.id);
    assert.deepEqual(await show.run(watch), { kind: 'done' });
    assert.equal(asked(), 0);
    assert.deepEqual(shown, []);
  });

  it('never turns a submitted card back into a form when the submit lands while Graph answers', async () => {
    const { show, watch, shown, store, session } = await setUp(async (store) => {
      await submit(store, aSession().id);
      return { sessionUrl: LINK, errorDetails: '' };
    });
    assert.deepEqual(await show.run(watch), { kind: 'done' });
    assert.deepEqual(shown, []);
    const stored = (await store.get(session.id))!.session;
    assert.equal(stored.state, 'submitted');
    assert.equal(stored.assistance, undefined, 'the conditional write lost to the submit');
  });

  it('puts the record back when the submit lands while the form is being shown', async () => {
    const { show, watch, shown, session } = await setUp(async () => ({ sessionUrl: LINK, errorDetails: '' }), { showForm: (store) => submit(store, aSession().id) });
    assert.deepEqual(await show.run(watch), { kind: 'done' });
    assert.deepEqual(shown.map((s) => [s.as, s.session.state]), [['form', 'requested'], ['record', 'submitted']]);
    assert.equal(shown[1].session.id, session.id);
  });

  it("looks again after Graph's Retry-After when Intune is busy or silent, and stops when it refuses", async () => {
    const busy = await setUp(async () => {
      throw new GraphFailure('getAssistanceSession', 'busy', 429, 'TooManyRequests', 'r-1', 12);
    });
    assert.deepEqual(await busy.show.run(busy.watch), { kind: 'again', afterSec: 12 });
    const silent = await setUp(async () => {
      throw new GraphFailure('getAssistanceSession', 'timeout', undefined, 'Timeout', undefined);
    });
    assert.deepEqual(await silent.show.run(silent.watch), { kind: 'again', afterSec: undefined });
    const refused = await setUp(async () => {
      throw new GraphFailure('getAssistanceSession', 'forbidden', 403, 'Forbidden', 'r-2');
    });
    assert.deepEqual(await refused.show.run(refused.watch), { kind: 'done' });
    assert.deepEqual([...busy.shown, ...silent.shown, ...refused.shown], []);
  });

  it('lets a bug surface rather than hide it as an Intune outage', async () => {
    const { show, watch } = await setUp(async () => {
      throw new TypeError('x is not a function');
    });
    await assert.rejects(show.run(watch), TypeError);
  });
});
