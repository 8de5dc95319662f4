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

/** A shared ledger in memory, as the store's behave: records each write at `heldUntil`, counts it a window on. */
function memoryLedger() {
  const writes: number[] = [];
  const calls: Array<{ count: number; heldUntil: number }> = [];
  const settled: Array<{ recorded: number; at: number }> = [];
  return {
    writes, calls, settled,
    async take(limit: number, windowMs: number, now: number, count: number, heldUntil: number) {
      calls.push({ count, heldUntil });
      const recent = writes.filter((at) => at > now - windowMs);
      const taken = Math.max(0, Math.min(count, limit - recent.length));
      for (let i = 0; i < taken; i++) writes.push(heldUntil);
      return taken === count ? { taken } : { taken, at: Math.min(...writes) + windowMs };
    },
    async settle(moved: Array<{ recorded: number; at: number }>) {
      for (const m of moved) {
        settled.push(m);
        const i = writes.indexOf(m.recorded);
        if (i >= 0) writes[i] = m.at;
      }
    },
  };
}

describe('the budget shared through the store', () => {
  it('asks the ledger once for all the writes waiting at that moment, the technicians first', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const ledger = memoryLedger();
    // Another instance has used all but two of the window.
    ledger.writes.push(...Array<number>(8).fill(0));
    const pacer = new WritePacer(10, 20_000, () => Date.now(), { ledger, onUnavailable: () => assert.fail('the ledger answers') });
    const order: string[] = [];
    const takes = [
      pacer.take('background', Number.POSITIVE_INFINITY, 3000).then(() => order.push('report')),
      pacer.take('interactive', Number.POSITIVE_INFINITY, 3000).then(() => order.push('technician 1')),
      pacer.take('interactive', Number.POSITIVE_INFINITY, 3000).then(() => order.push('technician 2')),
    ];
    await settle();
    assert.deepEqual(ledger.calls.map((c) => c.count), [1, 2], 'the first alone, then the two that queued meanwhile together');
    assert.deepEqual(order, ['report', 'technician 1'], 'the room went to the one that asked first, then to a technician');
    t.mock.timers.tick(20_000);
    await settle();
    await Promise.all(takes);
    assert.deepEqual(order, ['report', 'technician 1', 'technician 2']);
    assert.deepEqual(ledger.calls.map((c) => c.count), [1, 2, 1], 'the one left asked again when there was room');
  });

  it('counts a write until its deadline, and from when its answer came once it came', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const ledger = memoryLedger();
    const pacer = new WritePacer(1, 20_000, () => Date.now(), { ledger, onUnavailable: () => assert.fail('the ledger answers') });
    const done = await pacer.take('interactive', Number.POSITIVE_INFINITY, 3000);
    assert.deepEqual(ledger.writes, [3000], 'held until the deadline while unanswered');
    t.mock.timers.tick(250);
    done();
    done();
    await settle();
    assert.deepEqual(ledger.settled, [{ recorded: 3000, at: 250 }], 'once, at the answer');
    await assert.rejects(pacer.take('interactive', 500, 3000), (error: unknown) => error instanceof BudgetExhausted && error.at === 20_000, 'within the window, no room');
    // A window after the answer there is room (unsettled, the write would count until 23 s, past the 500 ms allowed).
    t.mock.timers.tick(20_000);
    const next = pacer.take('interactive', 500, 3000);
    await settle();
    await next;
    assert.deepEqual(ledger.writes, [250, 23_250]);
  });
});

describe('a write answered later than it was held for', () => {
  it('moves it to its answer, so it counts a window from then', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const ledger = memoryLedger();
    const pacer = new WritePacer(5, 20_000, () => Date.now(), { ledger, onUnavailable: () => assert.fail('the ledger answers') });
    const done = await pacer.take('background', Number.POSITIVE_INFINITY, 1000);
    // A busy process started the call late: its answer came at 4 s, past the 1 s it was held for.
    t.mock.timers.tick(4000);
    done();
    await settle();
    assert.deepEqual(ledger.writes, [4000]);
  });
});
