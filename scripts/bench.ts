// npm run bench: how fast the bot answers technicians, and what it costs in memory. Prints figures;
// nothing here passes or fails on time (targets are read by people, not asserted in unit tests).
import { readFileSync } from 'node:fs';
import { startBot } from '../test/support/botProcess';
import { startSession } from '../test/support/session';
import { say } from '../test/support/teams';
import { startWorld } from '../test/support/world';

const TURNS = 300;
const STARTS = 40;
const CONCURRENCY = 8;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed(label: string, count: number, work: (i: number) => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await work(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const seconds = (Date.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${count} turns, ${(count / seconds).toFixed(0)}/s, p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function main() {
  const world = await startWorld({ botEnv: { LOG_LEVEL: 'warn' } });
  try {
    // Start to answering /healthz (the store opened), five times on the same data directory.
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const bot = await startBot(world.env);
      starts.push(performance.now() - t);
      await bot.stop();
    }
    starts.sort((a, b) => a - b);
    console.log(`start to /healthz                  median ${percentile(starts, 50).toFixed(0)} ms (of ${starts.map((ms) => ms.toFixed(0)).join(', ')})`);
    const pid = world.bot.child.pid!;
    console.log(`bot RSS at start                   ${rssMb(pid).toFixed(0)} MB`);
    await timed('help (card reply)', TURNS, () => say(world.chat(), 'help'));
    // 40 starts stay inside the technicians' share of Intune's write budget (50 per 20 s per instance);
    // beyond it a start waits for budget by design.
    await timed('help me with device (full start)', STARTS, () => startSession(world, world.chat()));
    console.log(`bot RSS after ${TURNS + STARTS} turns             ${rssMb(pid).toFixed(0)} MB`);
  } finally {
    await world.stop();
  }
}

void main();
