import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AzuriteProcessMessage } from './azuriteProcess';

export interface EmbeddedAzurite {
  /** The well-known devstoreaccount1 connection string for this Azurite's blob and queue endpoints. */
  connectionString: string;
  /** Closes both services, saving their data. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Azurite's blob and queue services on loopback, with their data in `dataDir`, in a child process (see
 * azuriteProcess.ts for why) on ports the system picks. Not a store to keep data in: Azurite saves its
 * metadata every 5 s, so a kill -9 loses the last seconds. The bot uses it only to read the data of the
 * versions that embedded it (legacyImport.ts); the tests use it as Azure Storage.
 */
export async function startEmbeddedAzurite(opts: { dataDir: string; log?: (msg: string) => void }): Promise<EmbeddedAzurite> {
  const { dataDir, log = () => {} } = opts;
  await mkdir(dataDir, { recursive: true });
  const { child, ports } = await startChild(dataDir);
  log(`Azurite (process ${child.pid}) on ${dataDir}: blob :${ports.blobPort}, queue :${ports.queuePort}`);
  let stopping: Promise<void> | undefined;
  child.once('exit', (code) => stopping || log(`Azurite exited unexpectedly (code ${code})`));
  return {
    connectionString: await connectionString(ports.blobPort, ports.queuePort),
    stop: () => (stopping ??= stopChild(child)),
  };
}

async function startChild(dataDir: string): Promise<{ child: ChildProcess; ports: { blobPort: number; queuePort: number } }> {
  // Under tsx (tests, `npm run demo`) this module is .ts and so is its sibling: the child loads it the way
  // this process was told to (minus a debugger port). Compiled, both are .js and need no flags.
  const entry = path.join(__dirname, `azuriteProcess${path.extname(__filename)}`);
  const child = fork(entry, [dataDir], {
    execArgv: entry.endsWith('.ts') ? process.execArgv.filter((arg) => !arg.startsWith('--inspect')) : [],
    // Azurite's stdout is only chatter; its stderr is kept for a failure's explanation.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`embedded Azurite exited before it was ready (code ${code}): ${stderr.trim()}`);
  });
  const ready = new Promise<AzuriteProcessMessage>((resolve) => child.once('message', (m) => resolve(m as AzuriteProcessMessage)));
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`embedded Azurite did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS).unref());
  try {
    const message = await Promise.race([ready, exited, timeout]);
    if (message.kind === 'failed') throw new Error(`embedded Azurite could not start: ${message.error}`);
    // Stays connected (the child watches the channel to outlive us by no more than a save), but does not hold us open.
    child.unref();
    child.channel?.unref();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    return { child, ports: { blobPort: message.blobPort, queuePort: message.queuePort } };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    exited.catch(() => {}); // settled or not, nobody awaits it any more
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // Held open again until the child has saved and gone, even if nothing else keeps this process alive.
  child.ref();
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function connectionString(blobPort: number, queuePort: number): Promise<string> {
  // Azurite's constants module requires nothing, so this does not load Azurite here.
  const { EMULATOR_ACCOUNT_NAME: account, EMULATOR_ACCOUNT_KEY: key } = await import('azurite/dist/src/common/utils/constants');
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${key.toString('base64')}`,
    `BlobEndpoint=http://${HOST}:${blobPort}/${account}`,
    `QueueEndpoint=http://${HOST}:${queuePort}/${account}`,
  ].join(';');
}
