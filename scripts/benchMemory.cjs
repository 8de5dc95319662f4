// Preloaded into the bot by `tsx scripts/bench.ts --soak` (with --expose-gc): on SIGUSR2 prints its memory,
// then the same after a full garbage collection, as one line on stderr for the bench to read. The second
// reading waits a second: V8 hands freed pages back to the system after the collection, not during it.
'use strict';
process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  global.gc();
  setTimeout(() => {
    const after = process.memoryUsage();
    process.stderr.write(`benchMemory ${JSON.stringify({ rss: before.rss, heapUsed: before.heapUsed, gcRss: after.rss, gcHeapUsed: after.heapUsed })}\n`);
  }, 1000);
});
