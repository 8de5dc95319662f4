import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Who runs the embedded Azurite for a data directory. Two Azurites on the same Loki files would each
 * overwrite the other's autosaves, so one process owns the directory and any other bot process started on
 * it (a second `npm start`, a test's second instance) uses the owner's Azurite instead of starting its own.
 */
export interface AzuriteLockRecord {
  pid: number;
  blobPort?: number;
  queuePort?: number;
}

export type AzuriteClaim =
  | { owner: true; publish(ports: { blobPort: number; queuePort: number }): Promise<void>; release(): Promise<void> }
  | { owner: false; pid: number; blobPort: number; queuePort: number };

const LOCK_FILE = 'azurite.lock';
/** How long an owner may take between claiming the directory and publishing its ports (more than the child's start timeout). */
const STARTING_GRACE_MS = 30_000;
const POLL_MS = 100;

export async function claimAzuriteDir(dataDir: string): Promise<AzuriteClaim> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  const giveUpAt = Date.now() + STARTING_GRACE_MS;
  for (;;) {
    try {
      // `wx` fails if the file exists: only one process can win the directory.
      await writeFile(lockPath, JSON.stringify({ pid: process.pid } satisfies AzuriteLockRecord), { flag: 'wx' });
      return ownerClaim(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const record = await readRecord(lockPath);
    if (record?.blobPort && record.queuePort && (await answersAsAzurite(record.blobPort)) && (await answersAsAzurite(record.queuePort))) {
      return { owner: false, pid: record.pid, blobPort: record.blobPort, queuePort: record.queuePort };
    }
    if (await isStarting(lockPath, record)) {
      if (Date.now() > giveUpAt) throw new Error(`Process ${record?.pid} is still starting Azurite on ${dataDir}; remove ${lockPath} if it is not`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    // Left by a process that died (or whose Azurite no longer answers): take the directory over.
    await rm(lockPath, { force: true });
  }
}

function ownerClaim(lockPath: string): AzuriteClaim {
  return {
    owner: true,
    publish: ({ blobPort, queuePort }) => writeFile(lockPath, JSON.stringify({ pid: process.pid, blobPort, queuePort } satisfies AzuriteLockRecord)),
    async release() {
      // Only our own lock: a process that took over after us keeps its claim.
      if ((await readRecord(lockPath))?.pid === process.pid) await rm(lockPath, { force: true });
    },
  };
}

async function readRecord(lockPath: string): Promise<AzuriteLockRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(lockPath, 'utf8')) as AzuriteLockRecord;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined; // gone, or still being written
  }
}

/**
 * Another live process claimed the directory moments ago and has not published its ports (or even its pid)
 * yet. Our own pid in the file is a previous life's (a container restarted with the same pid).
 */
async function isStarting(lockPath: string, record: AzuriteLockRecord | undefined): Promise<boolean> {
  if (record && (record.pid === process.pid || !isAlive(record.pid))) return false;
  const age = Date.now() - (await stat(lockPath).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
  return age < STARTING_GRACE_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Azurite names itself in the Server header, even on the error it gives an unsigned request. */
async function answersAsAzurite(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.headers.get('server')?.startsWith('Azurite') ?? false;
  } catch {
    return false;
  }
}
