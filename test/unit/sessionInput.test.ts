import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultInputs, readInputs, validateInputs, type SessionInputs } from '../../src/assist/sessionInput';
import { aSession } from './fixtures';

const helperDevices = aSession().helperDevices;
const now = new Date('2026-11-23T12:00:00Z');
const valid: SessionInputs = { sessionType: 'fullControl', startDate: '2026-11-23', startTime: '10:00', endDate: '2026-11-23', endTime: '10:45', helperDeviceId: 'h1' };
const requestedAt = new Date('2026-09-01T00:00:00Z');
const errorsOf = (inputs: Partial<SessionInputs>, zone = 'Europe/Lisbon', asked = requestedAt) => {
  const result = validateInputs({ ...valid, ...inputs }, zone, helperDevices, now, asked);
  return result.ok ? [] : result.errors;
};

describe('session inputs', () => {
  it('turns valid inputs into ISO times with the technician\'s offset', () => {
    const result = validateInputs(valid, 'America/Sao_Paulo', helperDevices, new Date('2026-11-23T20:00:00Z'), requestedAt);
    assert.deepEqual(result, {
      ok: true,
      report: { sessionType: 'fullControl', startDateTime: '2026-11-23T10:00:00-03:00', endDateTime: '2026-11-23T10:45:00-03:00', helperDeviceId: 'h1' },
    });
  });

  it('accepts a session across midnight and "not a managed device"', () => {
    const result = validateInputs({ ...valid, startDate: '2026-11-22', startTime: '23:30', endDate: '2026-11-23', endTime: '00:15', helperDeviceId: 'none' }, 'UTC', helperDevices, now, requestedAt);
    assert.ok(result.ok);
    assert.equal(result.report.helperDeviceId, null);
  });

  it('names every problem', () => {
    assert.deepEqual(errorsOf({ sessionType: 'unattended' }), ['sessionTypeInvalid']);
    assert.deepEqual(errorsOf({ sessionType: '' }), ['sessionTypeInvalid']);
    assert.deepEqual(errorsOf({ endTime: '09:00' }), ['endBeforeStart']);
    assert.deepEqual(errorsOf({ endTime: '10:00' }), ['endBeforeStart']);
    assert.deepEqual(errorsOf({ startDate: '2026-11-21', endDate: '2026-11-22', endTime: '10:01' }), ['longerThanADay']);
    assert.deepEqual(errorsOf({ endTime: '23:00' }), ['endInFuture']);
    assert.deepEqual(errorsOf({ startDate: '2026-10-01', endDate: '2026-10-01' }), ['startTooOld']);
    // Intune was asked at 10:30 UTC (10:30 in Lisbon): a start at 10:00 is before it, 10:26 is within the clock skew.
    assert.deepEqual(errorsOf({}, 'Europe/Lisbon', new Date('2026-11-23T10:30:00Z')), ['startBeforeRequest']);
    assert.deepEqual(errorsOf({ startTime: '10:26' }, 'Europe/Lisbon', new Date('2026-11-23T10:30:00Z')), []);
    assert.deepEqual(errorsOf({ startDate: '2026-02-30' }), ['startInvalid']);
    assert.deepEqual(errorsOf({ endTime: '25:00' }), ['endInvalid']);
    assert.deepEqual(errorsOf({ startTime: 'noon' }), ['startInvalid']);
    assert.deepEqual(errorsOf({ helperDeviceId: 'someone-elses-device' }), ['helperDeviceInvalid']);
    assert.deepEqual(errorsOf({ helperDeviceId: '' }), ['helperDeviceInvalid']);
  });

  it('reads only known fields from an untrusted card, as bounded strings', () => {
    const read = readInputs({ sessionType: 'viewOnly', startDate: 42, endTime: 'x'.repeat(10_000), helperEmail: 'evil@example.com' });
    assert.deepEqual(Object.keys(read).sort(), ['endDate', 'endTime', 'helperDeviceId', 'sessionType', 'startDate', 'startTime']);
    assert.equal(read.startDate, '');
    assert.equal(read.endTime.length, 64);
    assert.deepEqual(readInputs(null).sessionType, '');
  });

  it('prefills the start with now in the technician\'s zone and their latest device', () => {
    assert.deepEqual(defaultInputs(now, 'Asia/Tokyo', helperDevices), {
      sessionType: '', startDate: '2026-11-23', startTime: '21:00', endDate: '2026-11-23', endTime: '', helperDeviceId: 'h1',
    });
    assert.equal(defaultInputs(now, 'UTC', []).helperDeviceId, 'none');
  });
});
