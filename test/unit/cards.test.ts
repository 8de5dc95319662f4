import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultInputs } from '../../src/assist/sessionInput';
import { renderDeviceChoiceCard, renderHelpCard, renderPeopleChoiceCard, renderRequestCard, renderRequestListCard, renderSessionCard, renderSessionListCard, renderSessionRecordCard } from '../../src/cards/renderCards';
import { CATALOGUES, messagesFor } from '../../src/i18n/messages';
import { assertValidCard, executeActions, inputs, openUrlActions } from '../support/cardValidation';
import { aSession, laptop } from './fixtures';

const m = messagesFor('en-US');
const INTUNE_URL = 'https://intune.microsoft.com/#view/Microsoft_Intune_Devices/DeviceSettingsMenuBlade/~/overview/mdmDeviceId/5b3a1f0e-0000-4000-8000-000000000042';

describe('every card in every language', () => {
  /** Teams refuses a message over about 28 KB. */
  const TEAMS_MAX_BYTES = 28 * 1024;
  for (const locale of Object.keys(CATALOGUES)) {
    it(`${locale}: every card parses with no warnings, targets 1.5 and fits in a Teams message`, () => {
      const lm = messagesFor(locale);
      const report = { sessionType: 'elevation' as const, startDateTime: '2026-11-23T10:00:00+00:00', endDateTime: '2026-11-23T11:45:00+00:00', helperDeviceId: 'h1' };
      const states = (['requested', 'submitted', 'reported', 'cancelled', 'failed'] as const).map((state) =>
        aSession({ id: `s-${state}`, state, report, reportedAt: '2026-11-23T11:50:00Z', cancelledAt: state === 'cancelled' ? '2026-11-23T10:05:00Z' : undefined }));
      const requester = { aadObjectId: 'r1', name: 'Maria Silva', teamsId: '29:1r1', locale, timeZone: 'Europe/Lisbon', serviceUrl: 'https://smba.example/' };
      const problem = 'x'.repeat(500);
      const requests = [
        aSession({ state: 'asked', requester, problem, askedAt: '2026-11-23T09:00:00Z', technician: { aadObjectId: '', name: '' } }),
        aSession({ state: 'withdrawn', requester, problem, withdrawnAt: '2026-11-23T09:05:00Z', technician: { aadObjectId: '', name: '' } }),
        aSession({ state: 'requested', requester, problem, takenAt: '2026-11-23T09:10:00Z', technician: { aadObjectId: 't1', name: 'Alex Tech', teamsId: '29:1t1' } }),
      ];
      const many = Array.from({ length: 25 }, (_, i) => ({ ...laptop, id: `d-${i}`, deviceName: `KIOSK-${i}` }));
      const people = Array.from({ length: 26 }, (_, i) => ({
        id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, displayName: `Maria ${i}`, givenName: 'Maria', surname: `${i}`, mail: null, userPrincipalName: `maria${i}@contoso.example`,
      }));
      const cards = [
        renderHelpCard(lm, lm.t('help.notUnderstood')),
        renderDeviceChoiceCard(lm, lm.t('choice.title', { count: 50, deviceName: 'KIOSK' }), [...many, ...many], 'Europe/Lisbon', 25),
        renderPeopleChoiceCard(lm, 'Ma', people, 25),
        renderSessionCard(lm, aSession({ unconfirmed: true }), { inputs: defaultInputs(aSession().helperDevices), errors: ['endBeforeStart', 'startBeforeRequest', 'helperDeviceInvalid'] }),
        // Everything Intune may say at its longest: a link of 2,048 characters, 500 of error, a refused link.
        renderSessionCard(lm, aSession({ intuneUrl: INTUNE_URL, assistance: { sessionUrl: `https://start.example/${'s'.repeat(2020)}`, errorDetails: '*'.repeat(500), linkRefused: true, at: '2026-11-23T10:00:05Z' } }), { inputs: defaultInputs(aSession().helperDevices), errors: ['endBeforeStart'] }),
        ...states.map((session) => renderSessionRecordCard(lm, session, lm.t('graph.unavailable'))),
        renderSessionListCard(lm, Array.from({ length: 10 }, (_, i) => states[i % states.length])),
        renderSessionListCard(lm, []),
        ...requests.map((r) => renderRequestCard(lm, r)),
        renderRequestCard(lm, requests[0], 'Europe/Lisbon', lm.t('request.posted', { deviceName: 'LAPTOP-42' })),
        renderRequestListCard(lm, Array.from({ length: 20 }, () => requests[0]), 'UTC'),
        renderRequestListCard(lm, [], 'UTC'),
      ];
      for (const card of cards) {
        assertValidCard(card);
        assert.ok(Buffer.byteLength(JSON.stringify(card)) < TEAMS_MAX_BYTES, `${locale}: a card of ${Buffer.byteLength(JSON.stringify(card))} bytes`);
      }
    });
  }
});

describe('data on cards is shown as data', () => {
  it('escapes markdown in TextBlocks and FactSets, and leaves choice titles and input values as they are', () => {
    const name = '[Verify](https://evil.example) *x*';
    const session = aSession({
      device: { ...laptop, deviceName: name, userDisplayName: 'Kim\n# _Lee_' },
      helperDevices: [{ ...aSession().helperDevices[0], deviceName: 'MY_PC [1]' }],
    });
    const card = renderSessionCard(m, session, { inputs: defaultInputs(session.helperDevices), errors: [] });
    const text = JSON.stringify(card);
    assert.ok(text.includes(JSON.stringify('\\[Verify\\]\\(https://evil.example\\) \\*x\\*').slice(1, -1)), 'the device fact');
    assert.ok(text.includes(JSON.stringify('Kim \\# \\_Lee\\_').slice(1, -1)), 'the user fact, line break folded');
    assert.ok(!text.includes('[Verify](https'), 'no live link anywhere');
    const helper = (inputs(card).helperDeviceId.choices as Array<{ title: string }>)[0].title;
    assert.equal(helper, 'MY_PC [1] (Windows 10.0.26100)', 'a choice title is not markdown');
  });
});

describe('cards', () => {
  it('renders the help card with both commands', () => {
    const card = renderHelpCard(m, m.t('help.notUnderstood'));
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.ok(text.includes('help me with device LAPTOP-42') && text.includes("I didn't understand that."));
  });

  it('renders the session form for one click: type and device preselected, times behind "Adjust times"', () => {
    const session = aSession();
    const card = renderSessionCard(m, session, { inputs: defaultInputs(session.helperDevices, 'elevation'), errors: [] });
    assertValidCard(card);
    const fields = inputs(card);
    assert.deepEqual(Object.keys(fields).sort(), ['endedMinutesAgo', 'helperDeviceId', 'lastedMinutes', 'sessionType']);
    assert.equal(fields.sessionType.value, 'elevation');
    assert.equal(fields.helperDeviceId.value, session.helperDevices[0].id);
    assert.deepEqual((fields.sessionType.choices as Array<{ value: string }>).map((c) => c.value), ['viewOnly', 'fullControl', 'elevation']);
    assert.deepEqual(executeActions(card).map((a) => [a.verb, a.data.sessionId]), [['submitReport', session.id], ['cancelSession', session.id]]);
    const text = JSON.stringify(card);
    for (const fact of ['LAPTOP-42', 'Windows 10.0.22631', 'Megan Bowen', 'Compliant', 'Log session', 'Adjust times']) assert.ok(text.includes(fact), fact);
    assert.ok(text.includes('"id":"adjustTimes","isVisible":false'), 'the minutes are folded away');
  });

  it('shows each input error under its field and keeps what was typed, with the times open', () => {
    const session = aSession();
    const typed = { sessionType: 'fullControl', endedMinutesAgo: '90', lastedMinutes: '', helperDeviceId: 'none' };
    const card = renderSessionCard(m, session, { inputs: typed, errors: ['endBeforeStart'] });
    assertValidCard(card);
    assert.equal(inputs(card).endedMinutesAgo.value, 90);
    assert.equal(inputs(card).sessionType.value, 'fullControl');
    const text = JSON.stringify(card);
    assert.ok(text.includes('The end must be after the start.'));
    assert.ok(text.includes('Please fix the highlighted fields.'));
    assert.ok(text.includes('"id":"adjustTimes","isVisible":true'));
  });

  it('lists ambiguous devices with a pick button each', () => {
    const second = { ...laptop, id: 'd2', userDisplayName: null, userPrincipalName: null, lastSyncDateTime: null };
    const card = renderDeviceChoiceCard(m, m.t('choice.title', { count: 2, deviceName: 'LAPTOP-42' }), [laptop, second], 'UTC', 25);
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

describe('what Intune said about the session, on the card', () => {
  const form = (session: ReturnType<typeof aSession>) => renderSessionCard(m, session, { inputs: defaultInputs(session.helperDevices), errors: [] });
  const at = '2026-11-23T10:00:05Z';

  it('offers "Open in Intune" from the request on, and "Open session" once Intune gave its link', () => {
    const waiting = form(aSession({ intuneUrl: INTUNE_URL }));
    assertValidCard(waiting);
    assert.deepEqual(openUrlActions(waiting), [{ title: 'Open in Intune', url: INTUNE_URL }]);
    const linked = form(aSession({ intuneUrl: INTUNE_URL, assistance: { sessionUrl: 'https://start.example/s/1', at } }));
    assertValidCard(linked);
    assert.deepEqual(openUrlActions(linked), [{ title: 'Open session', url: 'https://start.example/s/1' }, { title: 'Open in Intune', url: INTUNE_URL }]);
    assert.deepEqual(executeActions(linked).map((a) => a.verb), ['submitReport', 'cancelSession'], 'the form is still the form');
    assert.deepEqual(openUrlActions(form(aSession())), [], 'a session from before this version has no links');
  });

  it("shows Intune's error in a sentence, escaped, and says why a link that is not https is not offered", () => {
    const card = form(aSession({ intuneUrl: INTUNE_URL, assistance: { errorDetails: '*Partner* [not onboarded](https://evil.example)\n# now', linkRefused: true, at } }));
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.ok(text.includes(JSON.stringify("Intune couldn't set up the session. It said: \\*Partner\\* \\[not onboarded\\]\\(https://evil.example\\) \\# now").slice(1, -1)), text);
    assert.ok(!text.includes('[not onboarded](https'), 'no live link');
    assert.ok(text.includes("isn't a secure (https) address"));
    assert.deepEqual(openUrlActions(card), [{ title: 'Open in Intune', url: INTUNE_URL }]);
  });

  it('leaves the links off the read-only record', () => {
    const record = renderSessionRecordCard(m, aSession({ state: 'cancelled', intuneUrl: INTUNE_URL, assistance: { sessionUrl: 'https://start.example/s/1', at }, cancelledAt: at }));
    assertValidCard(record);
    assert.deepEqual(openUrlActions(record), []);
  });
});

describe('the card checker itself', () => {
  it('rejects an input without an id and an unresolved binding', () => {
    assert.throws(() => assertValidCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text', label: 'x' }] }));
    assert.throws(() => assertValidCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${missing}' }] }));
  });
});
