import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultInputs, readInputs, validateInputs, type SessionInputs } from '../../src/assist/sessionInput';
import { aSession } from './fixtures';

const helperDevices = aSession().helperDevices;
/** Intune was asked at 10:00 UTC; the technician clicks at 10:45:30. */
const requestedAt = new Date('2026-11-23T10:00:00Z');
const now = new Date('2026-11-23T10:45:30Z');
const oneClick: SessionInputs = { sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'h1' };
const validate = (inputs: Partial<SessionInputs>, zone = 'Europe/Lisbon', at = now) => validateInputs({ ...oneClick, ...inputs }, zone, helperDevices, at, requestedAt);
const errorsOf = (inputs: Partial<SessionInputs>) => {
  const result = validate(inputs);
  return result.ok ? [] : result.errors;
};

describe('session inputs', () => {
  it('logs one click as from the request until the click, to the second, with the technician\'s offset', () => {
    assert.deepEqual(validate({}, 'America/Sao_Paulo'), {
      ok: true,
      report: { sessionType: 'fullControl', startDateTime: '2026-11-23T07:00:00-03:00', endDateTime: '2026-11-23T07:45:30-03:00', helperDeviceId: 'h1' },
    });
  });

  it('takes "ended N minutes ago" and "lasted N minutes", and "not a managed device"', () => {
    const result = validate({ endedMinutesAgo: '15', lastedMinutes: '20', helperDeviceId: 'none' }, 'UTC');
    assert.deepEqual(result, { ok: true, report: { sessionType: 'fullControl', startDateTime: '2026-11-23T10:10:30Z', endDateTime: '2026-11-23T10:30:30Z', helperDeviceId: null } });
    // Ended earlier, still counted from the request.
    const sinceRequest = validate({ endedMinutesAgo: '5' }, 'UTC');
    assert.ok(sinceRequest.ok && sinceRequest.report.startDateTime === '2026-11-23T10:00:00Z' && sinceRequest.report.endDateTime === '2026-11-23T10:40:30Z');
  });

  it('names every problem', () => {
    assert.deepEqual(errorsOf({ sessionType: 'unattended' }), ['sessionTypeInvalid']);
    assert.deepEqual(errorsOf({ sessionType: '' }), ['sessionTypeInvalid']);
    assert.deepEqual(errorsOf({ endedMinutesAgo: '50' }), ['endBeforeStart'], 'ended before Intune was asked');
    assert.deepEqual(errorsOf({ lastedMinutes: '51' }), ['startBeforeRequest']);
    assert.deepEqual(errorsOf({ lastedMinutes: '49' }), [], 'within the clock skew');
    assert.deepEqual(errorsOf({ endedMinutesAgo: 'ten' }), ['endedInvalid']);
    assert.deepEqual(errorsOf({ endedMinutesAgo: '-1' }), ['endedInvalid']);
    assert.deepEqual(errorsOf({ endedMinutesAgo: '1.5' }), ['endedInvalid']);
    assert.deepEqual(errorsOf({ lastedMinutes: '0' }), ['lastedInvalid']);
    assert.deepEqual(errorsOf({ helperDeviceId: 'someone-elses-device' }), ['helperDeviceInvalid']);
    assert.deepEqual(errorsOf({ helperDeviceId: '' }), ['helperDeviceInvalid']);
    const dayLater = new Date('2026-11-24T12:00:00Z');
    assert.deepEqual(validate({}, 'UTC', dayLater).ok ? [] : (validate({}, 'UTC', dayLater) as { errors: string[] }).errors, ['longerThanADay'], 'a whole day since the request: say how long it lasted');
    const monthLater = new Date('2026-12-30T12:00:00Z');
    assert.deepEqual((validate({ endedMinutesAgo: '43200', lastedMinutes: '30' }, 'UTC', monthLater) as { errors: string[] }).errors, ['startTooOld']);
  });

  it('reads only known fields from an untrusted card, as bounded strings; numbers as text', () => {
    const read = readInputs({ sessionType: 'viewOnly', endedMinutesAgo: 5, lastedMinutes: 'x'.repeat(10_000), helperEmail: 'evil@example.com', startDate: '2026-01-01' });
    assert.deepEqual(Object.keys(read).sort(), ['endedMinutesAgo', 'helperDeviceId', 'lastedMinutes', 'sessionType']);
    assert.equal(read.endedMinutesAgo, '5');
    assert.equal(read.lastedMinutes.length, 64);
    assert.deepEqual(readInputs(null).sessionType, '');
  });

  it('prefills the type used last (full control the first time) and the latest device', () => {
    assert.deepEqual(defaultInputs(helperDevices), { sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'h1' });
    assert.equal(defaultInputs([], 'elevation').sessionType, 'elevation');
    assert.equal(defaultInputs([]).helperDeviceId, 'none');
  });
});
