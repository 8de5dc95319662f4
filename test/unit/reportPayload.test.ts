import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReportPayload, enrollmentStateOf } from '../../src/assist/reportPayload';
import { aSession } from './fixtures';

const report = { sessionType: 'elevation' as const, startDateTime: '2026-11-23T10:00:00+00:00', endDateTime: '2026-11-23T10:30:00+00:00', helperDeviceId: 'h1' };
const helper = { id: 'tech-1', displayName: 'Alex Tech', givenName: 'Alex', surname: 'Tech', mail: null, userPrincipalName: 'alex@contoso.example' };
const sharer = { id: 'u-megan', displayName: 'Megan Bowen', givenName: 'Megan', surname: 'Bowen', mail: 'megan.bowen@contoso.example', userPrincipalName: 'megan@contoso.example' };

const FULL_PROPERTIES = [
  '@odata.type', 'id', 'startDateTime', 'endDateTime', 'remoteAssistanceSessionType',
  'helperEmail', 'helperTenantId', 'helperFirstName', 'helperLastName', 'helperOs', 'helperDeviceAadId', 'helperDeviceName', 'helperEnrollmentState',
  'sharerEmail', 'sharerTenantId', 'sharerFirstName', 'sharerLastName', 'sharerDeviceAadId', 'sharerDeviceName', 'sharerOs', 'sharerEnrollmentState',
];

describe('report payload', () => {
  it('maps the session, the helper and the sharer onto all 20 properties', () => {
    const payload = buildReportPayload(aSession(), report, { helper, sharer }, 'full');
    assert.deepEqual(Object.keys(payload).sort(), [...FULL_PROPERTIES].sort());
    assert.deepEqual(payload, {
      '@odata.type': '#microsoft.graph.remoteAssistanceReporting',
      id: '7e0b8c2a-1d2e-4f3a-9b4c-5d6e7f8a9b0c',
      startDateTime: '2026-11-23T10:00:00+00:00',
      endDateTime: '2026-11-23T10:30:00+00:00',
      remoteAssistanceSessionType: 'elevation',
      helperEmail: 'alex@contoso.example',
      helperTenantId: 'tenant-1',
      helperFirstName: 'Alex',
      helperLastName: 'Tech',
      helperOs: 'Windows 10.0.26100',
      helperDeviceAadId: 'aad-h1',
      helperDeviceName: 'ALEX-WS01',
      helperEnrollmentState: 'enrolled',
      sharerEmail: 'megan.bowen@contoso.example',
      sharerTenantId: 'tenant-1',
      sharerFirstName: 'Megan',
      sharerLastName: 'Bowen',
      sharerDeviceAadId: 'aad-laptop-42',
      sharerDeviceName: 'LAPTOP-42',
      sharerOs: 'Windows 10.0.22631',
      sharerEnrollmentState: 'enrolled',
    });
  });

  it('drops helperOs and sharerOs for the legacy 18-property shape', () => {
    const payload = buildReportPayload(aSession(), report, { helper, sharer }, 'legacy');
    assert.deepEqual(Object.keys(payload).sort(), FULL_PROPERTIES.filter((p) => p !== 'helperOs' && p !== 'sharerOs').sort());
  });

  it('reports an unmanaged helper device and a device without a primary user', () => {
    const session = aSession({ device: { ...aSession().device, userId: null, emailAddress: null, userPrincipalName: null } });
    const payload = buildReportPayload(session, { ...report, helperDeviceId: null }, { helper, sharer: undefined }, 'full');
    assert.equal(payload.helperDeviceName, null);
    assert.equal(payload.helperOs, null);
    assert.equal(payload.helperEnrollmentState, 'unknown');
    assert.equal(payload.sharerEmail, null);
    assert.equal(payload.sharerFirstName, null);
  });

  it('maps Intune management states to enrollment states', () => {
    assert.equal(enrollmentStateOf({ managementState: 'managed' }), 'enrolled');
    assert.equal(enrollmentStateOf({ managementState: 'retirePending' }), 'enrolled');
    assert.equal(enrollmentStateOf({ managementState: 'wipeFailed' }), 'failed');
    assert.equal(enrollmentStateOf({ managementState: 'discovered' }), 'notContacted');
    assert.equal(enrollmentStateOf({ managementState: null }), 'unknown');
    assert.equal(enrollmentStateOf(undefined), 'unknown');
  });
});
