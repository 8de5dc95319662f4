// The embedded default (SQLite) seen from outside: the bot as a process, killed with its whole process group
// at the worst moments, started on bad data directories, filled up, and upgraded from the embedded Azurite
// of earlier versions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startEmbeddedAzurite } from '../../src/store/azurite/embeddedAzurite';
import { DB_FILE } from '../../src/store/sqlite/database';
import { MIGRATIONS } from '../../src/store/sqlite/schema';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore';
import { ROOT, startBot, startBotExpectingExit, type BotProcess } from '../support/botProcess';
import { filledInputs, startSession, type StartedSession } from '../support/session';
import { say, type TeamsChat } from '../support/teams';
import { tempDir } from '../support/tempDir';
import { waitFor } from '../support/wait';
import { startWorld, type World } from '../support/world';
import { aSession } from '../unit/fixtures';

/** Short lease, poll and sweep, so that what a crash leaves behind is taken up within seconds. */
const FAST_WORKER = { REPORT_LEASE_SEC: '4', ASSISTDESK_POLL_MS: '200', ASSISTDESK_SWEEP_SEC: '1' };
const KILL_ROUNDS = 20;
/** setpriv's arguments to run a command as nobody. */
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

let world: World;
before(async () => (world = await startWorld({ botEnv: FAST_WORKER })));
after(async () => world?.stop());
beforeEach(() => {
  world.graph.reset();
  world.connector.reset();
});

const reportCounts = () => {
  const counts = new Map<string, number>();
  for (const r of world.graph.reports as Array<{ id: string }>) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  return counts;
};
const answerTo = (asked: { activity: { id?: unknown } }) => world.connector.activities.find((a) => a.body?.replyToId === asked.activity.id && a.body.type === 'message');

describe('kill -9 of the whole process group on the embedded store', () => {
  it(`loses nothing: ${KILL_ROUNDS} rounds each right after the card is posted and right after a submit is acknowledged`, async (t) => {
    await world.bot.stop();
    let bot = await startBot(world.env, { ownGroup: true });
    /** Each acknowledged submit, and what its bot had logged when it was killed. */
    const acknowledged: Array<{ sessionId: string; logs: Array<Record<string, unknown>> }> = [];
    try {
      let previous: StartedSession | undefined;
      for (let round = 0; round < KILL_ROUNDS; round++) {
        // The last round's report is recorded before the next kill: each report's one unrecorded window is
        // then met by one kill, (b), so a report can be sent twice but not three times (with kills in a row
        // during its resend, each kill could add one more send, which would prove nothing).
        await previous?.updatedTo('Remote assistance session reported', 30_000);
        const chat = world.chat({ botUrl: bot.url });
        const session = await startSession(world, chat);
        await bot.killGroup(); // (a) the card is on the technician's screen
        bot = await startBot(world.env, { ownGroup: true });
        const ack = await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) }, { chat: { ...chat, botUrl: bot.url } });
        assert.match(JSON.stringify(ack.body.value), /Sending the report…/, `round ${round}: the session survived the kill`);
        await bot.killGroup(); // (b) the technician was told the report is on its way
        acknowledged.push({ sessionId: session.sessionId, logs: bot.logs() });
        previous = session;
        bot = await startBot(world.env, { ownGroup: true });
      }
      await waitFor(() => acknowledged.every((a) => reportCounts().has(a.sessionId)), 60_000, 'every acknowledged report');
      await new Promise((r) => setTimeout(r, 2000)); // a duplicate in the making would arrive now
      const counts = reportCounts();
      const duplicated = acknowledged.filter((a) => (counts.get(a.sessionId) ?? 0) > 1);
      t.diagnostic(`${acknowledged.length} acknowledged, ${acknowledged.filter((a) => counts.has(a.sessionId)).length} delivered, ${duplicated.length} sent twice`);
      assert.ok(acknowledged.every((a) => (counts.get(a.sessionId) ?? 0) >= 1), 'none lost');
      assert.ok([...counts.values()].every((n) => n <= 2), 'never more than twice');
      // A second send is the one window the design admits: the killed bot's report reached Graph, and the kill
      // came before the bot recorded it. A report it had recorded is never sent again.
      for (const a of duplicated) {
        assert.ok(!a.logs.some((l) => l.msg === 'session reported' && l.sessionId === a.sessionId), `${a.sessionId}: sent again after the bot had recorded it`);
      }
    } finally {
      await bot.stop();
      world.bot = await startBot(world.env);
    }
  });

  it('queues again a submitted session whose report message was lost, and delivers it', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    await world.bot.stop();
    // As a submit whose write landed after its client gave up leaves it: submitted, and nothing queued.
    const db = new Database(path.join(world.env.ASSISTDESK_DATA_DIR, DB_FILE));
    const row = db.prepare<[string], { body: string }>('SELECT body FROM sessions WHERE id = ?').get(session.sessionId)!;
    const stranded = { ...JSON.parse(row.body), state: 'submitted', submittedAt: new Date().toISOString(), card: { activityId: session.cardActivityId, conversation: storedConversation(chat) },
      report: { sessionType: 'viewOnly', startDateTime: new Date(Date.now() - 3_600_000).toISOString(), endDateTime: new Date(Date.now() - 600_000).toISOString(), helperDeviceId: null } };
    db.prepare("UPDATE sessions SET state = 'submitted', updated_at = ?, body = ? WHERE id = ?").run(new Date(Date.now() - 60_000).toISOString(), JSON.stringify({ ...stranded, updatedAt: new Date(Date.now() - 60_000).toISOString() }), session.sessionId);
    assert.equal((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n, 0);
    db.close();

    world.bot = await startBot(world.env);
    await waitFor(() => reportCounts().get(session.sessionId) === 1, 20_000, 'the swept report');
    assert.ok(world.bot.logs().some((l) => l.msg === 'report was not queued: queued it again' && l.sessionId === session.sessionId));
  });
});

describe('two bot processes on one SQLite file (a rolling restart)', () => {
  it('the same card clicked on both: one report, and each sees the other\'s sessions', async () => {
    const second = await startBot(world.env);
    try {
      const chat = world.chat();
      const session = await startSession(world, chat);
      const typed = { sessionId: session.sessionId, ...filledInputs(chat) };
      const onSecond = { chat: { ...chat, botUrl: second.url } };
      const results = await Promise.all([session.click('submitReport', typed), session.click('submitReport', typed, onSecond), session.click('submitReport', typed), session.click('submitReport', typed, onSecond)]);
      assert.ok(results.every((r) => r.status === 200));
      await session.updatedTo('Remote assistance session reported');
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual([...reportCounts()], [[session.sessionId, 1]]);
      const listed = await say({ ...chat, botUrl: second.url }, 'sessions');
      assert.match(JSON.stringify(answerTo(listed)?.body.attachments), /LAPTOP-42.*Reported/);
    } finally {
      await second.stop();
    }
  });
});

describe('a report call that hangs', () => {
  it('is given up within the lease and tried again, so no second worker sends it meanwhile', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    // Longer than the worker's deadline (a fifth of the 4 s lease), shorter than a test's patience.
    world.graph.fault({ method: 'POST', path: 'reportRemoteAssistance', hangMs: 3000 });
    await session.click('submitReport', { sessionId: session.sessionId, ...filledInputs(chat) });
    await session.updatedTo('Remote assistance session reported', 20_000);
    const timedOut = world.bot.logs().find((l) => l.msg === 'report attempt failed; will retry' && l.sessionId === session.sessionId);
    assert.equal(timedOut?.code, 'Timeout', 'the hung attempt was abandoned at its deadline');
    await world.graph.idle();
    // Graph carried out the abandoned call too, after the bot stopped waiting: as it would, a second report
    // with the same id. Nothing else sent it: two calls in all.
    assert.equal(world.graph.requests.filter((r) => r.url.pathname.endsWith('/reportRemoteAssistance')).length, 2);
  });
});

/** The conversation reference the bot keeps for a card, as botbuilder builds it from the activity. */
function storedConversation(chat: TeamsChat): Record<string, unknown> {
  return { activityId: undefined, bot: { id: '28:assistdesk-bot', name: 'AssistDesk' }, channelId: 'msteams', conversation: { id: chat.conversationId, conversationType: chat.conversationType, tenantId: chat.tenantId }, locale: 'en-US', serviceUrl: chat.serviceUrl, user: chat.user };
}

describe('npm run backup', () => {
  it('copies the store while the bot runs, and the copy opens with every session in it', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    const target = path.join(tempDir('assistdesk-backup-'), 'backup.db');
    const output = execFileSync(process.execPath, ['lib/cli/backup.js', target], { cwd: ROOT, env: { PATH: process.env.PATH, ASSISTDESK_DATA_DIR: world.env.ASSISTDESK_DATA_DIR, DOTENV_CONFIG_PATH: world.env.DOTENV_CONFIG_PATH } }).toString();
    assert.match(output, /Backed up .*assistdesk\.db to .*backup\.db/);
    const db = new Database(target, { readonly: true });
    try {
      assert.equal(db.prepare('SELECT state FROM sessions WHERE id = ?').pluck().get(session.sessionId), 'requested');
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    // The bot went on working throughout.
    assert.match(JSON.stringify((await session.click('cancelSession', { sessionId: session.sessionId })).body.value), /cancel/i);
  });
});

describe('a data directory the bot cannot use', () => {
  const env = (dataDir: string) => ({ ...world.env, ASSISTDESK_DATA_DIR: dataDir });

  it('names ASSISTDESK_DATA_DIR when the bot\'s user may not write there', async () => {
    // Root may write anywhere, so as root (CI) the bot runs as nobody beside a folder of root's; as anyone else,
    // beside a folder of their own made read-only.
    const asRoot = process.getuid?.() === 0;
    const dataDir = tempDir('assistdesk-readonly-');
    chmodSync(dataDir, asRoot ? 0o755 : 0o555);
    if (asRoot) execFileSync('setpriv', [...AS_NOBODY, 'test', '-r', path.join(ROOT, 'lib', 'index.js')]); // throws if nobody cannot read the checkout
    const { code, output } = await startBotExpectingExit(env(path.join(dataDir, 'data')), { prefix: asRoot ? AS_NOBODY : [] });
    chmodSync(dataDir, 0o755);
    assert.equal(code, 1);
    assert.match(output, new RegExp(`ASSISTDESK_DATA_DIR: this process \\(user id ${asRoot ? 65534 : process.getuid?.()}\\) cannot write .*assistdesk-readonly-.*\\(EACCES\\)`));
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  });

  it('refuses a database from a newer version, naming the file', async () => {
    const dataDir = tempDir('assistdesk-newer-');
    const db = new Database(path.join(dataDir, DB_FILE));
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    const { code, output } = await startBotExpectingExit(env(dataDir));
    assert.equal(code, 1);
    assert.ok(output.includes(`${path.join(dataDir, DB_FILE)} was written by a newer AssistDesk`), output);
  });

  it('refuses a damaged file, naming it and saying how to restore', async () => {
    const dataDir = tempDir('assistdesk-corrupt-');
    writeFileSync(path.join(dataDir, DB_FILE), 'SQLite format 3\0' + 'garbage'.repeat(1000));
    const { code, output } = await startBotExpectingExit(env(dataDir));
    assert.equal(code, 1);
    assert.match(output, /assistdesk\.db is damaged or is not an AssistDesk database .*restore the latest backup/);
  });

  it('tells the technician plainly when the store is full, asks nothing of Intune, and names the file in the log', async () => {
    const dataDir = tempDir('assistdesk-full-');
    const filler = openSqliteStore(dataDir, { maxSizeMb: 1 });
    // Large rows, then ever smaller ones, until not even a small claim fits.
    let i = 0;
    for (const size of [16_000, 2_000, 200, 0]) {
      while (await filler.sessions.create(aSession({ id: `filler-${i++}`, technician: { aadObjectId: 'x', name: 'y'.repeat(size) } })).then(() => true, () => false));
    }
    while (await filler.once.claim(`filler-${i++}`).then(() => true, () => false));
    await filler.close();
    const bot = await startBot({ ...env(dataDir), ASSISTDESK_DB_MAX_MB: '1' });
    try {
      const chat = world.chat({ botUrl: bot.url });
      const asked = await say(chat, 'help me with device LAPTOP-42');
      assert.match(answerTo(asked)?.body.text ?? '', /storage is full, so I did nothing\. Please tell your IT administrator/);
      assert.deepEqual(world.graph.assistanceRequests, []);
      assert.ok(bot.logs().some((l) => l.level === 50 && l.code === 'SQLITE_FULL' && String(l.msg).includes(path.join(dataDir, DB_FILE))), bot.output());
    } finally {
      await bot.stop();
    }
  });
});

describe('upgrading from the embedded Azurite of earlier versions', () => {
  it('imports its sessions once, sends the reports that were still queued, and keeps the old folder aside', async () => {
    const dataDir = tempDir('assistdesk-upgrade-');
    // The earlier version: the same Azure Storage layout, in Azurite under <data dir>/azurite.
    const azurite = await startEmbeddedAzurite({ dataDir: path.join(dataDir, 'azurite') });
    let earlier: BotProcess | undefined = await startBot({ ...world.env, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
    const chat = world.chat({ botUrl: earlier.url });
    world.graph.fault({ method: 'POST', path: 'reportRemoteAssistance', status: 503, times: Infinity, retryAfterSec: 30 });
    const queued = await startSession(world, chat);
    const open = await startSession(world, chat, 'DESK 7');
    await queued.click('submitReport', { sessionId: queued.sessionId, ...filledInputs(chat) });
    await waitFor(() => world.graph.requests.some((r) => r.url.pathname.endsWith('/reportRemoteAssistance')), 10_000, 'a refused attempt');
    await earlier.stop();
    earlier = undefined;
    await azurite.stop();
    world.graph.reset();

    const bot = await startBot({ ...world.env, ASSISTDESK_DATA_DIR: dataDir });
    try {
      assert.ok(bot.logs().some((l) => /imported 2 sessions and queued the 1 reports still to send/.test(String(l.msg))), bot.output());
      assert.equal(existsSync(path.join(dataDir, 'azurite')), false);
      assert.equal(readdirSync(dataDir).filter((name) => name.startsWith('azurite.imported-')).length, 1);
      await waitFor(() => reportCounts().get(queued.sessionId) === 1, 20_000, 'the queued report');
      const submitted = await open.click('submitReport', { sessionId: open.sessionId, ...filledInputs(chat) }, { chat: { ...chat, botUrl: bot.url } });
      assert.match(JSON.stringify(submitted.body.value), /Sending the report…/);
      await waitFor(() => reportCounts().get(open.sessionId) === 1, 20_000, 'the second report');
    } finally {
      await bot.stop();
    }
    // A second start imports nothing again.
    const again = await startBot({ ...world.env, ASSISTDESK_DATA_DIR: dataDir });
    await again.stop();
    assert.ok(!again.logs().some((l) => /imported/.test(String(l.msg))));
  });
});
