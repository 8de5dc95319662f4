// Strict validation of reportRemoteAssistance's body against the contract (seeds 000/001,
// graph-contract.md §1): an OData service rejects unknown properties, wrong types and bad enum values.
import { badRequest, type GraphErrorInfo } from './graphErrors';

const TYPE = 'microsoft.graph.remoteAssistanceReporting';
const V18 = [
  'id', 'startDateTime', 'endDateTime', 'remoteAssistanceSessionType',
  'helperEmail', 'helperTenantId', 'helperFirstName', 'helperLastName', 'helperDeviceAadId', 'helperDeviceName', 'helperEnrollmentState',
  'sharerEmail', 'sharerTenantId', 'sharerFirstName', 'sharerLastName', 'sharerDeviceAadId', 'sharerDeviceName', 'sharerEnrollmentState',
] as const;
export const REPORT_PROPERTIES: Record<18 | 20, readonly string[]> = { 18: V18, 20: [...V18, 'helperOs', 'sharerOs'] };

const ENUMS: Record<string, { type: string; values: string[] }> = {
  remoteAssistanceSessionType: { type: 'microsoft.graph.remoteAssistanceSessionType', values: ['viewOnly', 'fullControl', 'elevation', 'unattended', 'unknownFutureValue'] },
  helperEnrollmentState: { type: 'microsoft.graph.enrollmentState', values: ['unknown', 'enrolled', 'pendingReset', 'failed', 'notContacted', 'blocked'] },
  sharerEnrollmentState: { type: 'microsoft.graph.enrollmentState', values: ['unknown', 'enrolled', 'pendingReset', 'failed', 'notContacted', 'blocked'] },
};
const DATES = ['startDateTime', 'endDateTime'];
// ISO 8601 with an explicit offset or Z; OData's Edm.DateTimeOffset rejects a bare local time.
const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Validates the whole request body; null when Graph would accept it. */
export function validateReportBody(body: unknown, version: 18 | 20): GraphErrorInfo | null {
  if (!isObject(body)) return badRequest('The request body must be a JSON object with a reportingPayload parameter.');
  for (const key of Object.keys(body)) {
    if (key !== 'reportingPayload') return badRequest(`The parameter '${key}' in the request payload is not a valid parameter for the operation 'reportRemoteAssistance'.`);
  }
  if (!('reportingPayload' in body)) return badRequest("The parameter 'reportingPayload' is missing from the request payload for the operation 'reportRemoteAssistance'.");
  return validatePayload(body.reportingPayload, version);
}

function validatePayload(p: unknown, version: 18 | 20): GraphErrorInfo | null {
  if (!isObject(p)) return badRequest(`Cannot convert the value of parameter 'reportingPayload' to type '${TYPE}'.`);
  const known = REPORT_PROPERTIES[version];
  for (const [key, value] of Object.entries(p)) {
    if (key === '@odata.type') {
      if (value !== `#${TYPE}` && value !== TYPE) return badRequest(`A type named '${String(value).replace(/^#/, '')}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`);
      continue;
    }
    if (!known.includes(key)) {
      return badRequest(`The property '${key}' does not exist on type '${TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    const err = checkValue(key, value);
    if (err) return err;
  }
  for (const key of ['id', ...DATES, ...Object.keys(ENUMS)]) {
    if (!(key in p)) return badRequest(`The property '${key}' is required on type '${TYPE}' but was not found in the request payload.`);
  }
  if ((p.id as string).trim() === '') return badRequest(`The property 'id' on type '${TYPE}' must be a non-empty key value.`);
  return null;
}

function checkValue(key: string, value: unknown): GraphErrorInfo | null {
  const required = key === 'id' || DATES.includes(key) || key in ENUMS;
  const edm = DATES.includes(key) ? 'Edm.DateTimeOffset' : key in ENUMS ? ENUMS[key].type : 'Edm.String';
  if (value === null) {
    if (!required) return null;
    return badRequest(`A null value was found for the property named '${key}', which has the expected type '${edm}[Nullable=False]'. The expected type '${edm}[Nullable=False]' does not allow null values.`);
  }
  if (typeof value !== 'string') {
    return badRequest(`Cannot convert a primitive value to the expected type '${edm}'. See the inner exception for more details. (property '${key}', got ${JSON.stringify(value)})`);
  }
  if (DATES.includes(key) && (!DATE_TIME_OFFSET.test(value) || Number.isNaN(Date.parse(value)))) {
    return badRequest(`Cannot convert the literal '${value}' to the expected type 'Edm.DateTimeOffset'.`);
  }
  if (key in ENUMS && !ENUMS[key].values.includes(value)) {
    return badRequest(`Requested value '${value}' was not found. (property '${key}' of enum type '${ENUMS[key].type}')`);
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
