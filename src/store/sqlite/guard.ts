import { SqliteError } from 'better-sqlite3';
import { StoreUnavailableError } from '../ports';

/** Runs one statement or transaction, turning SQLite's failures into StoreUnavailableError. */
export type Guard = <T>(work: () => T) => Promise<T>;

/** Told when SQLite refuses for a reason an admin must fix (full, read-only, damaged), not a passing lock. */
export type FaultReporter = (message: string, code: string) => void;

/**
 * Runs one statement or transaction. SQLite's own failures become StoreUnavailableError (nothing was
 * written: the transaction rolled back); our own errors pass through.
 */
export function guarded<T>(report: FaultReporter, file: string, work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    if (!(error instanceof SqliteError)) return Promise.reject(error);
    const advice = adviceFor(error.code);
    if (advice) report(`${file}: ${advice}`, error.code);
    return Promise.reject(new StoreUnavailableError(error, error.code === 'SQLITE_FULL' ? 'full' : 'unavailable'));
  }
}

function adviceFor(code: string): string | undefined {
  if (code === 'SQLITE_FULL') return 'the database is full (the disk, or ASSISTDESK_DB_MAX_MB): free space or raise the limit; writes are refused until then';
  if (code.startsWith('SQLITE_READONLY')) return 'the database has become read-only: check the file\'s owner and permissions and the disk';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'the database is damaged: stop the bot and restore the latest backup (README, "Backups")';
  if (code.startsWith('SQLITE_IOERR')) return 'the disk failed a read or write: check the disk';
  return undefined; // SQLITE_BUSY and the like: another process held the lock too long; try again
}
