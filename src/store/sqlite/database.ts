import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './schema';

export type Db = Database.Database;

/** The database's file name inside ASSISTDESK_DATA_DIR. */
export const DB_FILE = 'assistdesk.db';
/** How long a write waits for another process's transaction (all of ours are short) before giving up. */
const BUSY_TIMEOUT_MS = 2000;

/** The database cannot be used as it is; the message says which file and what to do. */
export class DatabaseOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseOpenError';
  }
}

export interface OpenOptions {
  /** Cap on the file's size (SQLite's max_page_count); unset: as large as the disk allows. */
  maxSizeMb?: number;
}

/**
 * Opens (creating if need be) the database in `dataDir`: owner-only file, WAL journal with synchronous=FULL
 * so a committed transaction survives a kill -9 and a power loss, and the schema brought up to date.
 */
export function openDatabase(dataDir: string, options: OpenOptions = {}): Db {
  const file = path.join(dataDir, DB_FILE);
  prepareFile(dataDir, file);
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw openFailure(file, error);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // The first read of the file: a damaged or foreign file fails here.
    if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new DatabaseOpenError(`${file}: SQLite could not use its WAL journal here (is it on a network share? keep it on a local disk)`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (options.maxSizeMb) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor((options.maxSizeMb * 1024 * 1024) / pageSize))}`);
    }
    migrate(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error instanceof DatabaseOpenError ? error : openFailure(file, error);
  }
}

/** The data directory and an owner-only file, with a plain answer when this user may not write there. */
function prepareFile(dataDir: string, file: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Created here rather than by SQLite so it is owner-only from its first byte; the WAL and shared-memory
    // files SQLite adds beside it take the database file's permissions.
    if (!existsSync(file)) closeSync(openSync(file, 'wx', 0o600));
    // SQLite writes its -wal and -shm files beside the database: the directory must be writable too.
    accessSync(dataDir, constants.W_OK);
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return prepareFile(dataDir, file); // another process created it first
    const who = typeof process.getuid === 'function' ? ` (user id ${process.getuid()})` : '';
    throw new DatabaseOpenError(
      `ASSISTDESK_DATA_DIR: this process${who} cannot write ${code === 'ENOENT' || !existsSync(file) ? dataDir : file} (${code}). ` +
        'Give the user the bot runs as write access to that folder, or point ASSISTDESK_DATA_DIR at one it owns.',
      { cause: error },
    );
  }
}

function migrate(db: Db, file: string): void {
  // IMMEDIATE: two processes starting together take turns; the second sees the first's schema.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new DatabaseOpenError(
        `${file} was written by a newer AssistDesk (schema ${version}; this version knows up to ${MIGRATIONS.length}). ` +
          'Run that newer version, or restore a backup taken before the upgrade.',
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function openFailure(file: string, error: unknown): DatabaseOpenError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new DatabaseOpenError(
      `${file} is damaged or is not an AssistDesk database (${code}). Stop the bot, move the file (with any -wal and -shm beside it) ` +
        'away, and restore the latest backup in its place (see the README, "Backups"); or start without it to begin empty.',
      { cause: error },
    );
  }
  if (code === 'SQLITE_FULL') return new DatabaseOpenError(`${file}: the disk (or ASSISTDESK_DB_MAX_MB) is full. Free space or raise the limit.`, { cause: error });
  return new DatabaseOpenError(`${file} could not be opened: ${(error as Error).message} (${code || 'no code'})`, { cause: error });
}
