// npm run chaos: 500 sessions submitted while Graph fails 30% of report calls; prints the figures.
import { runChaos } from '../test/support/chaos';
import { startWorld } from '../test/support/world';

async function main() {
  const world = await startWorld({ botEnv: { LOG_LEVEL: 'warn' } });
  try {
    const f = await runChaos(world, { sessions: 500, failureRate: 0.3, timeoutMs: 300_000 });
    console.log(`submitted   ${f.submitted}`);
    console.log(`delivered   ${f.delivered}`);
    console.log(`duplicates  ${f.duplicates}`);
    console.log(`lost        ${f.lost}`);
    console.log(`report calls ${f.reportCalls} (${f.faults} failed by injection: 429 with Retry-After, 503, connection resets)`);
    console.log(`time to delivery p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`);
    console.log(`wall time   ${(f.wallMs / 1000).toFixed(1)} s`);
    process.exitCode = f.delivered === f.submitted && f.duplicates === 0 ? 0 : 1;
  } finally {
    await world.stop();
  }
}

void main();
