import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addLogFields, createLogger, withLogFields } from '../../src/log';

function capture() {
  const records: Array<Record<string, unknown>> = [];
  const log = createLogger('info', { write: (line: string) => void records.push(JSON.parse(line)) });
  return { log, records };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('correlation fields on log records', () => {
  it('puts the scope\'s fields on every record written in it, through awaits and timers, and the session once known', async () => {
    const { log, records } = capture();
    await withLogFields({ activityId: 'act-1', conversationId: 'conv-1' }, async () => {
      log.info('turn starts');
      await tick();
      addLogFields({ sessionId: 'sess-1' });
      await new Promise<void>((resolve) => setTimeout(() => {
        log.info('later in the turn');
        resolve();
      }, 1));
    });
    log.info('outside');
    assert.deepEqual(records.map((r) => [r.msg, r.activityId, r.conversationId, r.sessionId]), [
      ['turn starts', 'act-1', 'conv-1', undefined],
      ['later in the turn', 'act-1', 'conv-1', 'sess-1'],
      ['outside', undefined, undefined, undefined],
    ]);
  });

  it('keeps concurrent turns apart, and a fresh scope (background work) does not inherit the turn', async () => {
    const { log, records } = capture();
    const turn = (id: string) => withLogFields({ activityId: id }, async () => {
      await tick();
      addLogFields({ sessionId: `s-${id}` });
      await tick();
      log.info(id);
      await withLogFields({ sessionId: `bg-${id}` }, async () => log.info(`background of ${id}`));
    });
    await Promise.all([turn('a'), turn('b')]);
    const byMsg = Object.fromEntries(records.map((r) => [r.msg, [r.activityId, r.sessionId]]));
    assert.deepEqual(byMsg, {
      a: ['a', 's-a'],
      b: ['b', 's-b'],
      'background of a': [undefined, 'bg-a'],
      'background of b': [undefined, 'bg-b'],
    });
  });

  it('lets a field given in the call win, and ignores empty values', async () => {
    const { log, records } = capture();
    withLogFields({ activityId: 'act-1', conversationId: '' }, () => {
      addLogFields({ sessionId: undefined });
      log.info({ sessionId: 'explicit' }, 'm');
    });
    assert.equal(records[0].sessionId, 'explicit');
    assert.equal(records[0].activityId, 'act-1');
    assert.ok(!('conversationId' in records[0]));
  });

  it('still censors credentials', () => {
    const { log, records } = capture();
    log.info({ headers: { authorization: 'Bearer abcdefghijkl' }, clientSecret: 's3cr3t-value' }, 'm');
    assert.equal((records[0].headers as Record<string, unknown>).authorization, '[redacted]');
    assert.equal(records[0].clientSecret, '[redacted]');
  });
});
