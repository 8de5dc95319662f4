// `npm run backup -- <file>`: an online backup of the embedded SQLite store, safe while the bot runs
// (SQLite's backup API copies a consistent snapshot page by page). Reads ASSISTDESK_DATA_DIR as the bot does.
import 'dotenv/config';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DB_FILE } from '../store/sqlite/database';

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error('Say where to write the backup: npm run backup -- /path/to/assistdesk-backup.db');
  if (process.env.AZURE_STORAGE_CONNECTION_STRING || process.env.AZURE_STORAGE_ACCOUNT_URL) {
    throw new Error('Azure Storage is configured: back it up with blob versioning and soft delete (see the README), not with this command');
  }
  const source = path.resolve(process.env.ASSISTDESK_DATA_DIR?.trim() || '.data', DB_FILE);
  if (!existsSync(source)) throw new Error(`There is no database at ${source} (ASSISTDESK_DATA_DIR)`);
  if (existsSync(target)) throw new Error(`${target} exists already: choose a new file`);
  const db = new Database(source, { fileMustExist: true });
  try {
    const { totalPages } = await db.backup(target);
    process.stdout.write(`Backed up ${source} to ${target} (${totalPages} pages).\n`);
  } finally {
    db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`Backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
