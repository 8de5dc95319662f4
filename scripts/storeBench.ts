// The cost of one store call on each engine, as the bot makes them (one process, one call at a time, then
// 16 at once). Prints figures; asserts nothing. Run by `npm run bench`, or alone with `tsx scripts/storeBench.ts`.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import 'restify';
import { openAzureStore } from '../src/store/azure/azureStore';
import { startEmbeddedAzurite } from '../src/store/azurite/embeddedAzurite';
import type { Store } from '../src/store/ports';
import { openSqliteStore } from '../src/store/sqlite/sqliteStore';
import { aSession } from '../test/unit/fixtures';

const CALLS = 400;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(label: string, work: (i: number) => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await work(i);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(30)} p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);
}

async function bench(name: string, store: Store): Promise<void> {
  console.log(`${name}: ${CALLS} calls each`);
  const ids = Array.from({ length: CALLS }, () => randomUUID());
  const etags: string[] = [];
  await measure('create session', async (i) => void etags.push((await store.sessions.create(aSession({ id: ids[i] }))).etag));
  await measure('get session', (i) => store.sessions.get(ids[i]));
  await measure('replace session (conditional)', async (i) => store.sessions.replace(aSession({ id: ids[i], state: 'cancelled' }), etags[i]));
  await measure('claim once', (i) => store.once.claim(`bench:${ids[i]}`));
  await measure('enqueue report', (i) => store.outbox.enqueue(ids[i]));
  await measure('receive + complete report', async () => {
    const [message] = await store.outbox.receive(1, 30);
    if (message) await store.outbox.complete(message);
  });
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, async (_, w) => {
    for (let i = w; i < CALLS; i += 16) await store.sessions.get(ids[i]);
  }));
  console.log(`  ${'get session, 16 at once'.padEnd(30)} ${(CALLS / ((performance.now() - started) / 1000)).toFixed(0)} calls/s`);
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-store-bench-'));
  try {
    const sqlite = openSqliteStore(path.join(dir, 'sqlite'));
    await bench('SQLite (WAL, synchronous=FULL)', sqlite);
    await sqlite.close();
    const azurite = await startEmbeddedAzurite({ dataDir: path.join(dir, 'azurite') });
    try {
      await bench('Azure Storage on Azurite (loopback HTTP)', await openAzureStore({ kind: 'connectionString', connectionString: azurite.connectionString }));
    } finally {
      await azurite.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
