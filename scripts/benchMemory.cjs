// Preloaded into the bot by `tsx scripts/bench.ts --soak` (with --expose-gc): on SIGUSR2 prints its memory,
// then the same after a full garbage collection, as one line on stderr for the bench to read.
'use strict';
process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  global.gc();
  const after = process.memoryUsage();
  process.stderr.write(`benchMemory ${JSON.stringify({ rss: before.rss, heapUsed: before.heapUsed, gcRss: after.rss, gcHeapUsed: after.heapUsed })}\n`);
});
