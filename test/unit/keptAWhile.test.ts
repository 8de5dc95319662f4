import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeptAWhile } from '../../src/assist/keptAWhile';

describe('answers kept a while', () => {
  it('reads a key once for lookups at the same moment and within its time, and again after it', async () => {
    const clock = { now: 0 };
    const kept = new KeptAWhile<string>(1000, 10, () => clock.now);
    let reads = 0;
    const read = async () => `value-${++reads}`;
    assert.deepEqual(await Promise.all([kept.get('a', read), kept.get('a', read), kept.get('a', read)]), ['value-1', 'value-1', 'value-1']);
    clock.now = 999;
    assert.equal(await kept.get('a', read), 'value-1');
    clock.now = 1000;
    assert.equal(await kept.get('a', read), 'value-2');
    assert.equal(await kept.get('b', read), 'value-3', 'each key is its own');
  });

  it('keeps no failure: the lookups that shared it fail, the next one asks again', async () => {
    const kept = new KeptAWhile<string>(60_000);
    const refused = new Error('Graph said no');
    const failing = () => Promise.reject(refused);
    const shared = await Promise.allSettled([kept.get('a', failing), kept.get('a', failing)]);
    assert.deepEqual(shared.map((r) => r.status === 'rejected' && r.reason), [refused, refused]);
    assert.equal(await kept.get('a', async () => 'fresh'), 'fresh');
  });

  it('holds at most its bound of keys', async () => {
    const kept = new KeptAWhile<number>(60_000, 2);
    let reads = 0;
    const read = async () => ++reads;
    await kept.get('a', read);
    await kept.get('b', read);
    await kept.get('c', read); // the bound was reached: what was kept is let go
    assert.equal(await kept.get('c', read), 3);
    assert.equal(await kept.get('a', read), 4, 'a was let go');
  });
});
