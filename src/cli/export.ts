// `npm run export -- [--format csv|jsonl] [--from 2026-11-01] [--to 2026-11-30] [--technician <object id>]`:
// the session log from the configured store (Azure Storage when AZURE_STORAGE_CONNECTION_STRING or
// AZURE_STORAGE_ACCOUNT_URL is set, else the SQLite file in ASSISTDESK_DATA_DIR), written to stdout.
// Reads the same variables as the bot (and .env); needs no Graph or bot secret. Safe while the bot runs.
import 'dotenv/config';
import { ManagedIdentityCredential } from '@azure/identity';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { csvHeader, exportRow, formatRow, type ExportFormat } from '../audit/sessionExport';
import { SESSIONS_CONTAINER } from '../store/azure/azureStore';
import { BlobSessionStore } from '../store/azure/blobSessionStore';
import { blobServiceClient, storageTarget } from '../store/azure/storageConfig';
import type { SessionStore } from '../store/ports';
import { DB_FILE } from '../store/sqlite/database';
import { openSqliteStore } from '../store/sqlite/sqliteStore';

const USAGE = 'npm run export -- [--format csv|jsonl] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--technician <Entra object id>] > sessions.csv';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

class UsageError extends Error {}

export interface ExportRequest {
  format: ExportFormat;
  from: Date;
  /** Exclusive. */
  to: Date;
  technicianId?: string;
}

/** The command line, checked; every problem named at once. Days are UTC; `--to` includes its whole day. */
export function parseExportArgs(args: string[], now = new Date()): ExportRequest {
  const { values } = parseArgs({
    args,
    options: { format: { type: 'string', default: 'csv' }, from: { type: 'string' }, to: { type: 'string' }, technician: { type: 'string' } },
    strict: true,
  });
  const problems: string[] = [];
  const format = values.format as ExportFormat;
  if (format !== 'csv' && format !== 'jsonl') problems.push(`--format must be csv or jsonl (got "${values.format}")`);
  const instant = (name: string, text: string | undefined, endOfDay: boolean): Date | undefined => {
    if (text === undefined) return undefined;
    const ms = Date.parse(DAY.test(text) ? `${text}T00:00:00Z` : text);
    if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
      problems.push(`${name} must be a day (YYYY-MM-DD, UTC) or an ISO 8601 time (got "${text}")`);
      return undefined;
    }
    return new Date(DAY.test(text) && endOfDay ? ms + 86_400_000 : ms);
  };
  const from = instant('--from', values.from, false) ?? new Date(0);
  const to = instant('--to', values.to, true) ?? new Date(now.getTime() + 1);
  if (from >= to) problems.push(`--from must come before --to (got ${from.toISOString()} and ${to.toISOString()})`);
  const technicianId = values.technician?.trim().toLowerCase() || undefined;
  if (technicianId?.includes('@')) {
    problems.push(
      "--technician takes the technician's Entra object id: sessions keep that, not the sign-in name. " +
        `Look it up with \`az ad user show --id ${technicianId} --query id -o tsv\` or in Entra (Users, the user, Object ID)`,
    );
  }
  if (problems.length) throw new UsageError(`${problems.join('\n')}\nUsage: ${USAGE}`);
  return { format, from, to, technicianId };
}

/**
 * The sessions of the store the bot is configured with, for reading only: on Azure Storage nothing is
 * created (the bot's start-up creates the container), so an identity that may only read and list blobs will do.
 */
function openConfiguredSessions(env: NodeJS.ProcessEnv): { sessions: SessionStore; engine: string; close(): Promise<void> } {
  const target = storageTarget({ connectionString: env.AZURE_STORAGE_CONNECTION_STRING, accountUrl: env.AZURE_STORAGE_ACCOUNT_URL, queueUrl: env.AZURE_STORAGE_QUEUE_URL });
  if (target) {
    // As the bot does: the managed identity when one is named, else DefaultAzureCredential.
    const managedIdentityClientId = env.MANAGED_IDENTITY_CLIENT_ID?.trim();
    const credential = managedIdentityClientId ? new ManagedIdentityCredential({ clientId: managedIdentityClientId }) : undefined;
    const container = blobServiceClient(target, credential).getContainerClient(SESSIONS_CONTAINER);
    return { sessions: new BlobSessionStore(container), engine: 'Azure Storage', close: async () => {} };
  }
  const dataDir = path.resolve(env.ASSISTDESK_DATA_DIR?.trim() || '.data');
  if (!existsSync(path.join(dataDir, DB_FILE))) {
    throw new Error(`There is no database at ${path.join(dataDir, DB_FILE)}: set ASSISTDESK_DATA_DIR as the bot has it, or the Azure Storage variables`);
  }
  const store = openSqliteStore(dataDir);
  return { sessions: store.sessions, engine: `SQLite file ${store.file}`, close: () => store.close() };
}

async function write(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

async function main(): Promise<void> {
  const request = parseExportArgs(process.argv.slice(2));
  const store = openConfiguredSessions(process.env);
  let count = 0;
  try {
    if (request.format === 'csv') await write(csvHeader());
    for await (const { session } of store.sessions.listCreated(request.from, request.to)) {
      if (request.technicianId && session.technician.aadObjectId.toLowerCase() !== request.technicianId) continue;
      await write(formatRow(exportRow(session), request.format));
      count++;
    }
  } finally {
    await store.close();
  }
  process.stderr.write(`Exported ${count} sessions created from ${request.from.toISOString()} to before ${request.to.toISOString()} from the ${store.engine}.\n`);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`Export failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  });
}
