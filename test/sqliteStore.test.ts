// What only the embedded SQLite engine promises: durability settings, an owner-only file, a schema it
// refuses to downgrade, plain answers for a damaged or full file, and other processes on the same file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DB_FILE, DatabaseOpenError, openDatabase } from '../src/store/sqlite/database';
import { MIGRATIONS } from '../src/store/sqlite/schema';
import { openSqliteStore } from '../src/store/sqlite/sqliteStore';
import { StoreUnavailableError } from '../src/store/ports';
import { tempDir } from './support/tempDir';
import { aSession } from './unit/fixtures';

describe('the embedded SQLite store', () => {
  it('commits to a WAL journal with synchronous=FULL, in an owner-only file', () => {
    const dir = path.join(tempDir('assistdesk-sqlite-'), 'data');
    const db = openDatabase(dir);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      db.prepare('INSERT INTO once_claims (key, claimed_at) VALUES (?, ?)').run('k', 1);
      for (const file of [DB_FILE, `${DB_FILE}-wal`]) assert.equal(statSync(path.join(dir, file)).mode & 0o777, 0o600, file);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
    } finally {
      db.close();
    }
  });

  it("upgrades a schema 3 file: a taken request's created_at follows its body, so retention and the export go by when it was taken", async () => {
    const dir = tempDir('assistdesk-sqlite-');
    const raw = new Database(path.join(dir, DB_FILE));
    raw.exec(MIGRATIONS.slice(0, 3).join('\n'));
    raw.pragma('user_version = 3');
    const taken = aSession({ id: 'taken-1', createdAt: '2026-02-01T09:00:00.000Z', takenAt: '2026-02-01T09:00:00.000Z' });
    // As schema 3 code wrote it: created_at left at the time the request was asked.
    raw.prepare('INSERT INTO sessions VALUES (?, 2, ?, ?, ?, ?, ?, ?)').run(taken.id, taken.tenantId, taken.technician.aadObjectId, taken.state, '2026-01-20T09:00:00.000Z', taken.updatedAt, JSON.stringify(taken));
    raw.close();
    const store = openSqliteStore(dir);
    try {
      const found = [];
      for await (const { session } of store.sessions.listCreated(new Date('2026-02-01T00:00:00Z'), new Date('2026-02-02T00:00:00Z'))) found.push(session.id);
      assert.deepEqual(found, [taken.id]);
      assert.equal(await store.sessions.deleteCreatedBefore(new Date('2026-01-31T00:00:00Z'), 10), 0, 'not deleted by the time it was asked');
    } finally {
      await store.close();
    }
  });

  it('lists sessions by creation across pages of rows, each once, in order', async () => {
    const store = openSqliteStore(tempDir('assistdesk-sqlite-'));
    try {
      const base = Date.parse('2026-03-01T00:00:00Z');
      // 1,203 sessions, three to each millisecond: pages of 500 must split ties on the id, not skip or repeat them.
      const ids: string[] = [];
      for (let i = 0; i < 1203; i++) {
        const createdAt = new Date(base + Math.floor(i / 3)).toISOString();
        const id = `s-${String(i).padStart(5, '0')}`;
        ids.push(id);
        await store.sessions.create(aSession({ id, createdAt, updatedAt: createdAt }));
      }
      const found: string[] = [];
      for await (const { session } of store.sessions.listCreated(new Date(base), new Date(base + 86_400_000))) found.push(session.id);
      assert.deepEqual(found, ids);
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer version, and says what to do', () => {
    const dir = tempDir('assistdesk-sqlite-');
    openDatabase(dir).close();
    const raw = new Database(path.join(dir, DB_FILE));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    assert.throws(() => openDatabase(dir), (error: Error) => error instanceof DatabaseOpenError && /newer AssistDesk/.test(error.message) && error.message.includes(path.join(dir, DB_FILE)));
  });

  it('names a damaged file and how to restore it', () => {
    const dir = tempDir('assistdesk-sqlite-');
    writeFileSync(path.join(dir, DB_FILE), Buffer.alloc(8192, 'not a database '));
    assert.throws(() => openDatabase(dir), (error: Error) => error instanceof DatabaseOpenError && /damaged/.test(error.message) && /backup/.test(error.message) && error.message.includes(DB_FILE));
  });

  it('refuses writes with StoreUnavailableError when full, and tells the admin which file', async () => {
    const dir = tempDir('assistdesk-sqlite-');
    const faults: string[] = [];
    const store = openSqliteStore(dir, { maxSizeMb: 1, onFault: (message, code) => faults.push(`${code} ${message}`) });
    const big = 'x'.repeat(64 * 1024);
    let error: unknown;
    for (let i = 0; i < 40 && !error; i++) {
      await store.sessions.create(aSession({ id: `s-${i}`, technician: { aadObjectId: 't', name: big } })).catch((e: unknown) => (error = e));
    }
    assert.ok(error instanceof StoreUnavailableError, String(error));
    assert.match(faults[0] ?? '', /^SQLITE_FULL .*assistdesk\.db: the database is full/);
    // What was committed before is intact and readable.
    assert.equal((await store.sessions.get('s-0'))?.session.id, 's-0');
    await store.close();
  });

  it('shares the file with another process writing at the same time', async () => {
    const dir = tempDir('assistdesk-sqlite-');
    const store = openSqliteStore(dir);
    // Another process (a second bot during a rolling restart) queues 200 reports while this one queues 200.
    const script = `
      const { openSqliteStore } = require(${JSON.stringify(path.resolve(__dirname, '../src/store/sqlite/sqliteStore.ts'))});
      const store = openSqliteStore(process.argv[1]);
      (async () => { for (let i = 0; i < 200; i++) await store.outbox.enqueue('other-' + i); await store.close(); })();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: ['ignore', 'inherit', 'inherit'] });
    for (let i = 0; i < 200; i++) await store.outbox.enqueue(`mine-${i}`);
    assert.equal((await once(child, 'exit'))[0], 0);
    const seen = new Set<string>();
    for (let got = await store.outbox.receive(32, 60); got.length; got = await store.outbox.receive(32, 60)) for (const m of got) seen.add(m.sessionId);
    assert.equal(seen.size, 400);
    await store.close();
  });
});
