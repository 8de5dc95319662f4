import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { LinkWatch } from '../../src/assist/ports';
import type { LinkLook } from '../../src/assist/showSessionLink';
import { SessionLinkPoller, type LinkPollPolicy } from '../../src/worker/sessionLinkPoller';

/** The real schedule, scaled from seconds to milliseconds so a test takes a fraction of a second. */
const POLICY: LinkPollPolicy = { waitMs: 180, firstDelayMs: 10, maxDelayMs: 30, maxWatched: 3 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const watchOf = (sessionId: string): LinkWatch => ({ sessionId, deviceId: 'd-1', card: { activityId: 'a', conversation: {} }, inputs: { sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'none' } });

function recorder(answer: (attempt: number) => LinkLook | Promise<LinkLook>, policy = POLICY) {
  const looks: number[] = [];
  const started = Date.now();
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line).msg) });
  const poller = new SessionLinkPoller(async () => {
    looks.push(Date.now() - started);
    return answer(looks.length);
  }, log, policy);
  return { poller, looks, lines };
}

describe('watching for a session link', () => {
  it('returns at once, then looks on a growing backoff until the look is done', async () => {
    const { poller, looks } = recorder((n) => (n === 4 ? { kind: 'done' } : { kind: 'again' }));
    poller.watch(watchOf('s-1'));
    assert.deepEqual(looks, [], 'nothing happens inside the caller (the turn)');
    await sleep(250);
    assert.equal(looks.length, 4);
    // 10, then +20, +30 (capped), +30: lower bounds only, a busy machine makes timers later, never earlier.
    const gaps = looks.map((at, i) => at - (looks[i - 1] ?? 0));
    [10, 20, 30, 30].forEach((least, i) => assert.ok(gaps[i] >= least - 2, `gap ${i} of ${gaps[i]} ms, at least ${least}`));
    await poller.stop();
  });

  it('stops when the wait is over, and says so', async () => {
    const { poller, looks, lines } = recorder(() => ({ kind: 'again' }));
    poller.watch(watchOf('s-1'));
    await sleep(400);
    // Looks at 10, 30, 60, 90, 120, 150, 180: the next (210) would be past the wait.
    assert.ok(looks.length <= 7 && looks.length >= 4, `${looks.length} looks`);
    assert.ok(looks.every((at) => at <= POLICY.waitMs + 60), `looks at ${looks.join(', ')}`);
    assert.ok(lines.includes('no session link from Intune in time: stopped watching'));
    await poller.stop();
  });

  it("waits at least as long as Graph's Retry-After", async () => {
    const { poller, looks } = recorder((n) => (n === 1 ? { kind: 'again', afterSec: 0.1 } : { kind: 'done' }));
    poller.watch(watchOf('s-1'));
    await sleep(200);
    assert.equal(looks.length, 2);
    assert.ok(looks[1] - looks[0] >= 98, `asked again after ${looks[1] - looks[0]} ms`);
    await poller.stop();
  });

  it('stops at a bug rather than repeating it, and logs it', async () => {
    const { poller, looks, lines } = recorder(() => {
      throw new TypeError('boom');
    });
    poller.watch(watchOf('s-1'));
    await sleep(100);
    assert.equal(looks.length, 1);
    assert.ok(lines.includes('watching for the session link failed'));
    await poller.stop();
  });

  it('watches a session once, and a bounded number at a time', async () => {
    const { poller, looks, lines } = recorder(() => ({ kind: 'done' }));
    for (const id of ['s-1', 's-1', 's-2', 's-3', 's-4']) poller.watch(watchOf(id));
    await sleep(60);
    assert.equal(looks.length, 3);
    assert.ok(lines.includes('too many sessions watched for their link: not watching this one'));
    await poller.stop();
  });

  it('looks no more once stopped, and waits for the look under way', async () => {
    let finished = false;
    const { poller, looks } = recorder(async () => {
      await sleep(50);
      finished = true;
      return { kind: 'again' };
    });
    poller.watch(watchOf('s-1'));
    poller.watch(watchOf('s-2'));
    await sleep(20);
    await poller.stop();
    assert.ok(finished, 'stop waited for the look in hand');
    const after = looks.length;
    poller.watch(watchOf('s-3'));
    await sleep(100);
    assert.equal(looks.length, after, 'nothing after stop');
  });

  it('watches nothing when the wait is 0', async () => {
    const { poller, looks } = recorder(() => ({ kind: 'done' }), { ...POLICY, waitMs: 0 });
    poller.watch(watchOf('s-1'));
    await sleep(40);
    assert.deepEqual(looks, []);
  });
});
