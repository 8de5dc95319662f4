import path from 'node:path';
import type { ExpiryTimes, Store } from '../ports';
import { DB_FILE, openDatabase, type OpenOptions } from './database';
import { SqliteOnceLedger, SqlitePendingSignIns } from './claims';
import { guarded, type FaultReporter, type Guard } from './guard';
import { SqliteOutbox } from './outbox';
import { SqliteSessionStore } from './sessions';
import { SqliteWriteBudget } from './writeBudget';

export interface SqliteStoreOptions extends OpenOptions {
  onFault?: FaultReporter;
  now?: () => number;
}

/**
 * The embedded default: one SQLite file in `dataDir`, opened in this process. Every state change is one
 * transaction (most are one statement), committed to the WAL with synchronous=FULL before we answer.
 */
export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store & { file: string } {
  const db = openDatabase(dataDir, options);
  const file = path.join(dataDir, DB_FILE);
  const now = options.now ?? Date.now;
  const guard: Guard = (work) => guarded(options.onFault ?? (() => {}), file, work);
  const expireOnce = db.prepare('DELETE FROM once_claims WHERE claimed_at < ?');
  const expireSignIns = db.prepare('DELETE FROM pending_sign_ins WHERE saved_at < ?');
  const ping = db.prepare('SELECT 1');
  return {
    engine: 'sqlite',
    file,
    sessions: new SqliteSessionStore(db, guard),
    outbox: new SqliteOutbox(db, guard, now),
    once: new SqliteOnceLedger(db, guard, now),
    signIns: new SqlitePendingSignIns(db, guard, now),
    writeBudget: new SqliteWriteBudget(db, guard),
    ping: () => guard(() => void ping.get()),
    expire: (ttl: ExpiryTimes) =>
      guard(() => expireOnce.run(now() - ttl.onceClaimSec * 1000).changes + expireSignIns.run(now() - ttl.pendingSignInSec * 1000).changes),
    close: async () => {
      if (db.open) db.close();
    },
  };
}
