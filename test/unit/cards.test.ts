import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultInputs } from '../../src/assist/sessionInput';
import { renderDeviceChoiceCard, renderHelpCard, renderSessionCard, renderSessionRecordCard } from '../../src/cards/renderCards';
import { messagesFor } from '../../src/i18n/messages';
import { assertValidCard, executeActions, inputs } from '../support/cardValidation';
import { aSession, laptop } from './fixtures';

const m = messagesFor('en-US');

describe('cards', () => {
  it('renders the help card with both commands', () => {
    const card = renderHelpCard(m, m.t('help.notUnderstood'));
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.ok(text.includes('help me with device LAPTOP-42') && text.includes("I didn't understand that."));
  });

  it('renders the session form with the device, prefilled start and both buttons', () => {
    const session = aSession();
    const card = renderSessionCard(m, session, { inputs: defaultInputs(new Date('2026-11-23T10:15:00Z'), 'Europe/Lisbon', session.helperDevices), errors: [] });
    assertValidCard(card);
    const fields = inputs(card);
    assert.deepEqual(Object.keys(fields).sort(), ['endDate', 'endTime', 'helperDeviceId', 'sessionType', 'startDate', 'startTime']);
    assert.equal(fields.startDate.value, '2026-11-23');
    assert.equal(fields.startTime.value, '10:15');
    assert.equal(fields.helperDeviceId.value, session.helperDevices[0].id);
    assert.deepEqual((fields.sessionType.choices as Array<{ value: string }>).map((c) => c.value), ['viewOnly', 'fullControl', 'elevation']);
    assert.deepEqual(executeActions(card).map((a) => [a.verb, a.data.sessionId]), [['submitReport', session.id], ['cancelSession', session.id]]);
    const text = JSON.stringify(card);
    for (const fact of ['LAPTOP-42', 'Windows 10.0.22631', 'Megan Bowen', 'Compliant']) assert.ok(text.includes(fact), fact);
  });

  it('shows each input error under its field and keeps what was typed', () => {
    const session = aSession();
    const typed = { sessionType: 'fullControl', startDate: '2026-11-23', startTime: '10:00', endDate: '2026-11-23', endTime: '09:00', helperDeviceId: 'none' };
    const card = renderSessionCard(m, session, { inputs: typed, errors: ['endBeforeStart'] });
    assertValidCard(card);
    assert.equal(inputs(card).endTime.value, '09:00');
    assert.equal(inputs(card).sessionType.value, 'fullControl');
    const text = JSON.stringify(card);
    assert.ok(text.includes('The end must be after the start.'));
    assert.ok(text.includes('Please fix the highlighted fields.'));
  });

  it('lists ambiguous devices with a pick button each', () => {
    const second = { ...laptop, id: 'd2', userDisplayName: null, userPrincipalName: null, lastSyncDateTime: null };
    const card = renderDeviceChoiceCard(m, 'LAPTOP-42', [laptop, second], 'UTC', 25);
    assertValidCard(card);
    assert.deepEqual(executeActions(card).map((a) => a.data.deviceId), [laptop.id, 'd2']);
    const text = JSON.stringify(card);
    assert.ok(text.includes('2 devices are named \\"LAPTOP-42\\"') && text.includes('No primary user') && text.includes('Never'));
  });

  it('renders a read-only record with who, device, type, times, duration and report time', () => {
    const session = aSession({
      state: 'reported',
      report: { sessionType: 'viewOnly', startDateTime: '2026-11-23T10:00:00+00:00', endDateTime: '2026-11-23T11:25:00+00:00', helperDeviceId: null },
      reportedAt: '2026-11-23T11:30:00.000Z',
    });
    const card = renderSessionRecordCard(m, session);
    assertValidCard(card);
    assert.equal(executeActions(card).length, 0);
    assert.equal(Object.keys(inputs(card)).length, 0);
    const text = JSON.stringify(card);
    for (const fact of ['Remote assistance session reported', 'Alex Tech', 'LAPTOP-42', 'View only', '1 h 25 min', 'Reported at']) assert.ok(text.includes(fact), fact);
  });
});

describe('the card checker itself', () => {
  it('rejects an input without an id and an unresolved binding', () => {
    assert.throws(() => assertValidCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text', label: 'x' }] }));
    assert.throws(() => assertValidCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${missing}' }] }));
  });
});
