import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Session } from '../sessions/session';
import { DatabaseOpenError } from './sqlite/database';
import { SessionConflictError, type Store } from './ports';

/** Where versions before the SQLite store kept their embedded Azurite, inside ASSISTDESK_DATA_DIR. */
const LEGACY_DIR = 'azurite';

export interface ImportResult { sessions: number; reports: number; keptAt: string }

/**
 * Brings the sessions and queued reports of an earlier version's embedded Azurite into `store`, once: the
 * folder is renamed afterwards (kept, not deleted). Reading it needs Azurite (a dev dependency); without it
 * start-up refuses and says how to import rather than leave the data behind. Idempotent if interrupted:
 * sessions already imported are skipped, and a report queued twice is sent once (its session says so).
 * Once-claims and parked sign-ins are not carried over: they live minutes.
 */
export async function importLegacyAzurite(dataDir: string, store: Store, log: (message: string) => void): Promise<ImportResult | undefined> {
  const dir = path.join(dataDir, LEGACY_DIR);
  if (!existsSync(path.join(dir, '__azurite_db_blob__.json')) && !existsSync(path.join(dir, '__azurite_db_queue__.json'))) return undefined;
  const running = livePidIn(path.join(dir, 'azurite.lock'));
  if (running) throw new DatabaseOpenError(`An earlier AssistDesk (process ${running}) still runs on ${dir}: stop it, then start this version, which imports its sessions once.`);
  if (!azuriteInstalled()) {
    throw new DatabaseOpenError(
      `${dir} holds the sessions and queued reports of an earlier AssistDesk (embedded Azurite). To import them into the SQLite store, ` +
        'install the dev dependencies once (`npm ci`) and start again; to start without them, move that folder out of ASSISTDESK_DATA_DIR.',
    );
  }
  log(`importing the sessions of ${dir} (an earlier version's embedded Azurite)`);
  // Loaded only when there is something to import: every other start would pay for the Azure SDKs.
  const [{ SESSIONS_CONTAINER }, { storageClients }, { startEmbeddedAzurite }] = await Promise.all([
    import('./azure/azureStore'),
    import('./azure/storageConfig'),
    import('./azurite/embeddedAzurite'),
  ]);
  const azurite = await startEmbeddedAzurite({ dataDir: dir });
  let sessions = 0, reports = 0;
  try {
    const { blobService } = storageClients({ kind: 'connectionString', connectionString: azurite.connectionString });
    const container = blobService.getContainerClient(SESSIONS_CONTAINER);
    if (await container.exists()) {
      for await (const item of container.listBlobsFlat({ prefix: 'sessions/' })) {
        const session = JSON.parse((await container.getBlobClient(item.name).downloadToBuffer()).toString('utf8')) as Session;
        try {
          await store.sessions.create(session);
          sessions++;
        } catch (error) {
          if (!(error instanceof SessionConflictError)) throw error; // imported by an interrupted earlier start
        }
        // Every submitted session gets its report queued here. The old queue is not read: a message in
        // backoff is invisible to a reader, and a message only names a session, which this covers.
        if (session.state === 'submitted') {
          await store.outbox.enqueue(session.id);
          reports++;
        }
      }
    }
  } finally {
    await azurite.stop();
  }
  const keptAt = `${dir}.imported-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(dir, keptAt);
  log(`imported ${sessions} sessions and queued the ${reports} reports still to send; the old folder is kept at ${keptAt} and may be deleted`);
  return { sessions, reports, keptAt };
}

function azuriteInstalled(): boolean {
  try {
    require.resolve('azurite/package.json');
    return true;
  } catch {
    return false;
  }
}

/** The pid an earlier version's lock names, if that process still runs. */
function livePidIn(lockFile: string): number | undefined {
  let pid: unknown;
  try {
    pid = (JSON.parse(readFileSync(lockFile, 'utf8')) as { pid?: unknown }).pid;
  } catch {
    return undefined; // no lock: nobody runs on it
  }
  if (typeof pid !== 'number' || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
