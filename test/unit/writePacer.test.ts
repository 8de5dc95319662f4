import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BudgetExhausted, WritePacer } from '../../src/graph/writePacer';

/** Lets every promise that can settle now settle (setImmediate is not among the mocked timers). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Intune write pacing', () => {
  it('admits the budget at once and the next write only when the window moves on', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const pacer = new WritePacer(3, 20_000, () => Date.now());
    const admittedAt: number[] = [];
    const takes = [...Array(5).keys()].map(async (i) => {
      await pacer.take();
      admittedAt[i] = Date.now();
    });
    await settle();
    assert.deepEqual(admittedAt, [0, 0, 0], 'three at once');
    t.mock.timers.tick(19_999);
    await settle();
    assert.equal(admittedAt.length, 3, 'none before the window has moved on');
    t.mock.timers.tick(1);
    await settle();
    await Promise.all(takes);
    assert.deepEqual(admittedAt, [0, 0, 0, 20_000, 20_000], 'the rest as soon as the first writes leave the window, in order');
  });
});

describe('one budget, technicians first', () => {
  it('admits a waiting technician before queued reports, and refuses at once a wait longer than allowed, saying when', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const pacer = new WritePacer(2, 20_000, () => Date.now());
    await pacer.take('background');
    await pacer.take('background');
    const order: string[] = [];
    const report = pacer.take('background').then(() => order.push('report'));
    const technician = pacer.take('interactive').then(() => order.push('technician'));
    await assert.rejects(pacer.take('interactive', 500), (error: unknown) => error instanceof BudgetExhausted && error.at === 20_000);
    t.mock.timers.tick(20_000);
    await settle();
    await Promise.all([report, technician]);
    assert.deepEqual(order, ['technician', 'report'], 'the technician first, though the report asked before');
  });
});

describe('budget waits, for the metrics', () => {
  it('reports a write that waited for room, with its priority and how long; a write admitted at once is not a wait', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const waits: Array<[string, number]> = [];
    const pacer = new WritePacer(1, 20_000, () => Date.now(), undefined, { budgetWait: (priority, ms) => void waits.push([priority, ms]) });
    await pacer.take('interactive');
    assert.deepEqual(waits, []);
    const waiting = pacer.take('background');
    t.mock.timers.tick(20_000);
    await settle();
    await waiting;
    assert.deepEqual(waits, [['background', 20_000]]);
  });
});
