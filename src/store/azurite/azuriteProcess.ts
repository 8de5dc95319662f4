// Entry of the child process that runs Azurite for embeddedAzurite.ts: `node azuriteProcess.js <dataDir>`.
// Azurite runs apart from the bot because restify patches http.IncomingMessage.prototype process-wide
// (req.query, req.path, …), which breaks Azurite's Express app: every request would get a 400.
import path from 'node:path';
import BlobConfiguration from 'azurite/dist/src/blob/BlobConfiguration';
import BlobServer from 'azurite/dist/src/blob/BlobServer';
import QueueConfiguration from 'azurite/dist/src/queue/QueueConfiguration';
import QueueServer from 'azurite/dist/src/queue/QueueServer';

/** What the child tells its parent over the IPC channel. */
export type AzuriteProcessMessage = { kind: 'ready'; blobPort: number; queuePort: number } | { kind: 'failed'; error: string };

const HOST = '127.0.0.1';
const KEEP_ALIVE_SEC = 5;
const WRITE_CONCURRENCY = 50;

function createServers(dataDir: string) {
  // Azurite's own file names, so `npx azurite --location <dataDir>` can open the same data while the bot is down.
  const at = (name: string) => path.join(dataDir, name);
  const extents = (dir: string) => [{ locationId: 'Default', locationPath: at(dir), maxConcurrency: WRITE_CONCURRENCY }];
  // Port 0: the system picks a free port. No access or debug log (they would go to stdout). Loose mode and
  // no API version check, so SDK versions newer than this Azurite still work.
  const blob = new BlobServer(
    new BlobConfiguration(HOST, 0, KEEP_ALIVE_SEC, at('__azurite_db_blob__.json'), at('__azurite_db_blob_extent__.json'), extents('__blobstorage__'), false, undefined, false, undefined, true, true),
  );
  const queue = new QueueServer(
    new QueueConfiguration(HOST, 0, KEEP_ALIVE_SEC, at('__azurite_db_queue__.json'), at('__azurite_db_queue_extent__.json'), extents('__queuestorage__'), false, undefined, false, undefined, true, true),
  );
  return { blob, queue };
}

function portOf(server: { getHttpServerAddress(): string }): number {
  return Number(new URL(server.getHttpServerAddress()).port);
}

async function main(dataDir: string): Promise<void> {
  const send = (message: AzuriteProcessMessage) => process.send?.(message);
  const { blob, queue } = createServers(dataDir);
  try {
    await Promise.all([blob.start(), queue.start()]);
  } catch (error) {
    // Exit only once the message is out: IPC sends are asynchronous.
    const failed: AzuriteProcessMessage = { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    process.send?.(failed, undefined, {}, () => process.exit(1)) ?? process.exit(1);
    return;
  }

  let closing: Promise<void> | undefined;
  // Closing saves the Loki databases (otherwise autosaved every 5 s).
  const close = () =>
    (closing ??= Promise.all([blob.close(), queue.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    ));
  process.on('message', (message) => message === 'stop' && close());
  // The parent is gone, even if it was killed: save and go too.
  process.on('disconnect', close);
  process.on('SIGTERM', close);
  // Ctrl-C reaches the whole process group: the bot still needs storage while it shuts down, and stops us after.
  process.on('SIGINT', () => {});
  send({ kind: 'ready', blobPort: portOf(blob), queuePort: portOf(queue) });
}

if (require.main === module) void main(process.argv[2]);
