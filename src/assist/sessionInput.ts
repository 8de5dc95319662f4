import { DateTime } from 'luxon';
import { SESSION_TYPES, type RemoteAssistanceSessionType } from '../graph/types';
import { zoneNamed } from '../i18n/format';
import type { HelperDevice, SessionReport } from '../sessions/session';

/**
 * The card's input ids; the template uses the same names. Times are minutes, not clock times: "ended N
 * minutes ago" (empty: now) and "lasted N minutes" (empty: since Intune was asked), so one click logs a
 * session that just ended and no client's time picker can misplace it.
 */
export interface SessionInputs {
  sessionType: string;
  endedMinutesAgo: string;
  lastedMinutes: string;
  helperDeviceId: string;
}

const INPUT_FIELDS: (keyof SessionInputs)[] = ['sessionType', 'endedMinutesAgo', 'lastedMinutes', 'helperDeviceId'];

/** The choice for "I am not on a managed device". */
export const NO_HELPER_DEVICE = 'none';
/** The type a technician's first session is logged with, until they have used another. */
export const FIRST_SESSION_TYPE: RemoteAssistanceSessionType = 'fullControl';

export type InputError =
  | 'sessionTypeInvalid'
  | 'endedInvalid'
  | 'lastedInvalid'
  | 'endBeforeStart'
  | 'longerThanADay'
  | 'startTooOld'
  | 'startBeforeRequest'
  | 'helperDeviceInvalid';

const MAX_INPUT_LENGTH = 64;
const MAX_SESSION_MINUTES = 24 * 60;
/** How far back a session may have ended, in minutes: Intune keeps session data 30 days. */
const MAX_ENDED_MINUTES_AGO = 30 * 24 * 60;
const CLOCK_SKEW_MINUTES = 5;
const OLDEST_START_DAYS = 30;

/** Reads card inputs from an untrusted invoke value: only known fields, only short strings (numbers as text). */
export function readInputs(data: unknown): SessionInputs {
  const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const text = (key: keyof SessionInputs) => {
    const v = source[key];
    return typeof v === 'string' ? v.trim().slice(0, MAX_INPUT_LENGTH) : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
  };
  return Object.fromEntries(INPUT_FIELDS.map((k) => [k, text(k)])) as unknown as SessionInputs;
}

/** A fresh card: the type the technician used last, ended now, since the request, their most recently synced device. */
export function defaultInputs(helperDevices: HelperDevice[], lastType: RemoteAssistanceSessionType = FIRST_SESSION_TYPE): SessionInputs {
  return { sessionType: lastType, endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: helperDevices[0]?.id ?? NO_HELPER_DEVICE };
}

/** The times were changed from "since the request, until now": the card shows them open. */
export function timesAdjusted(inputs: SessionInputs): boolean {
  return inputs.endedMinutesAgo !== '' || inputs.lastedMinutes !== '';
}

export type ValidationResult = { ok: true; report: SessionReport } | { ok: false; errors: InputError[] };

/** A whole number of minutes from `min` to `max`; anything else undefined. */
function wholeMinutes(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/**
 * `requestedAt`: when Intune was asked; a session cannot have started before (less the clock skew). Times go
 * to Graph in the technician's zone, to the second.
 */
export function validateInputs(inputs: SessionInputs, timeZone: string, helperDevices: HelperDevice[], now: Date, requestedAt: Date): ValidationResult {
  const errors: InputError[] = [];
  if (!(SESSION_TYPES as readonly string[]).includes(inputs.sessionType)) errors.push('sessionTypeInvalid');

  // Empty: ended now, and lasted since the request.
  const endedAgo = inputs.endedMinutesAgo === '' ? 0 : wholeMinutes(inputs.endedMinutesAgo, 0, MAX_ENDED_MINUTES_AGO);
  const lasted = inputs.lastedMinutes === '' ? null : wholeMinutes(inputs.lastedMinutes, 1, MAX_ENDED_MINUTES_AGO);
  if (endedAgo === undefined) errors.push('endedInvalid');
  if (lasted === undefined) errors.push('lastedInvalid');
  let start: DateTime | undefined, end: DateTime | undefined;
  if (endedAgo !== undefined && lasted !== undefined) {
    const zone = zoneNamed(timeZone);
    const requested = DateTime.fromJSDate(requestedAt, { zone });
    // To the second: the start rounded down, the click's end up, so a click in the request's second still has a length.
    end = DateTime.fromMillis(Math.ceil(now.getTime() / 1000) * 1000, { zone }).minus({ minutes: endedAgo });
    start = lasted === null ? requested.startOf('second') : end.minus({ minutes: lasted });
    if (end <= start) errors.push('endBeforeStart');
    else if (end.diff(start, 'minutes').minutes > MAX_SESSION_MINUTES) errors.push('longerThanADay');
    if (start < DateTime.fromJSDate(now).minus({ days: OLDEST_START_DAYS })) errors.push('startTooOld');
    else if (start < requested.minus({ minutes: CLOCK_SKEW_MINUTES })) errors.push('startBeforeRequest');
  }

  const helperDeviceId = inputs.helperDeviceId === NO_HELPER_DEVICE ? null : inputs.helperDeviceId;
  if (helperDeviceId !== null && !helperDevices.some((d) => d.id === helperDeviceId)) errors.push('helperDeviceInvalid');

  if (errors.length || !start || !end) return { ok: false, errors };
  return {
    ok: true,
    report: {
      sessionType: inputs.sessionType as RemoteAssistanceSessionType,
      startDateTime: start.toISO({ suppressMilliseconds: true })!,
      endDateTime: end.toISO({ suppressMilliseconds: true })!,
      helperDeviceId,
    },
  };
}
