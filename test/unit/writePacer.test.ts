import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WritePacer } from '../../src/graph/writePacer';

describe('Intune write pacing', () => {
  it('admits the budget at once and the next write only when the window moves on', async () => {
    const pacer = new WritePacer(3, 200);
    const started = Date.now();
    const admitted: number[] = [];
    await Promise.all([...Array(5).keys()].map(async (i) => {
      await pacer.take();
      admitted[i] = Date.now() - started;
    }));
    assert.ok(admitted.slice(0, 3).every((ms) => ms < 150), `first three at once: ${admitted}`);
    assert.ok(admitted.slice(3).every((ms) => ms >= 190), `the rest after the window: ${admitted}`);
  });
});
