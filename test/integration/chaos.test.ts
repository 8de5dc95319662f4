import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runChaos } from '../support/chaos';
import { startWorld, type World } from '../support/world';

let world: World;
before(async () => (world = await startWorld({ botEnv: { LOG_LEVEL: 'warn' } })));
after(async () => world?.stop());

describe('chaos', () => {
  it('delivers 500 reports exactly once while Graph fails 30% of report calls', async () => {
    const figures = await runChaos(world, { sessions: 500, failureRate: 0.3, timeoutMs: 180_000 });
    console.log(`chaos: ${JSON.stringify(figures)}`);
    assert.ok(figures.faults > 50, 'faults were injected');
    assert.equal(figures.submitted, 500);
    assert.equal(figures.delivered, 500);
    assert.equal(figures.lost, 0);
    assert.equal(figures.duplicates, 0);
  });
});
