// npm run chaos: 500 sessions submitted while Graph fails 30% of report calls; prints the figures.
// The faults include two where Graph records the report anyway (a lost answer, a hang), so a duplicate
// may legitimately appear; only a lost report fails the run.
import { runChaos, type ChaosFault } from '../test/support/chaos';
import { startWorld } from '../test/support/world';

/** Meant to exceed the worker's delivery lease (60 s): another worker may send the report meanwhile. */
const HANG_MS = 75_000;
const FAULTS: ChaosFault[] = [429, 503, 'reset', 'answerLost', 'hang'];
const LABELS: Record<ChaosFault, string> = {
  429: '429 with Retry-After',
  503: '503',
  reset: 'connection reset',
  answerLost: 'answer lost after 204',
  hang: `hang of ${HANG_MS / 1000} s`,
};

async function main() {
  const world = await startWorld({ botEnv: { LOG_LEVEL: 'warn' } });
  try {
    const f = await runChaos(world, { sessions: 500, failureRate: 0.3, timeoutMs: 300_000, faults: FAULTS, hangMs: HANG_MS });
    console.log(`submitted   ${f.submitted}`);
    console.log(`delivered   ${f.delivered}`);
    console.log(`duplicates  ${f.duplicates}`);
    console.log(`lost        ${f.lost}`);
    console.log(`report calls ${f.reportCalls} (${f.faults} met an injected fault)`);
    for (const kind of FAULTS) console.log(`  ${LABELS[kind].padEnd(22)} ${f.faultsByKind[kind]}`);
    console.log(`time to delivery p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`);
    console.log(`wall time   ${(f.wallMs / 1000).toFixed(1)} s`);
    process.exitCode = f.lost === 0 ? 0 : 1;
  } finally {
    await world.stop();
  }
}

void main();
