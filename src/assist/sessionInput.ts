import { DateTime } from 'luxon';
import { SESSION_TYPES, type RemoteAssistanceSessionType } from '../graph/types';
import type { HelperDevice, SessionReport } from '../sessions/session';

/** The card's input ids; the template uses the same names. */
export interface SessionInputs {
  sessionType: string;
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  helperDeviceId: string;
}

const INPUT_FIELDS: (keyof SessionInputs)[] = ['sessionType', 'startDate', 'startTime', 'endDate', 'endTime', 'helperDeviceId'];

/** The choice for "I am not on a managed device". */
export const NO_HELPER_DEVICE = 'none';

export type InputError =
  | 'sessionTypeInvalid'
  | 'startInvalid'
  | 'endInvalid'
  | 'endBeforeStart'
  | 'longerThanADay'
  | 'endInFuture'
  | 'startTooOld'
  | 'startBeforeRequest'
  | 'helperDeviceInvalid';

const MAX_INPUT_LENGTH = 64;
const MAX_SESSION_HOURS = 24;
const CLOCK_SKEW_MINUTES = 5;
const OLDEST_START_DAYS = 30;

/** Reads card inputs from an untrusted invoke value: only known fields, only short strings. */
export function readInputs(data: unknown): SessionInputs {
  const source = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const text = (key: keyof SessionInputs) => {
    const v = source[key];
    return typeof v === 'string' ? v.trim().slice(0, MAX_INPUT_LENGTH) : '';
  };
  return Object.fromEntries(INPUT_FIELDS.map((k) => [k, text(k)])) as unknown as SessionInputs;
}

/** Initial values for a fresh card: start now in the technician's zone, their most recently synced device. */
export function defaultInputs(now: Date, timeZone: string, helperDevices: HelperDevice[]): SessionInputs {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  return {
    sessionType: '',
    startDate: local.toISODate()!,
    startTime: local.toFormat('HH:mm'),
    endDate: local.toISODate()!,
    endTime: '',
    helperDeviceId: helperDevices[0]?.id ?? NO_HELPER_DEVICE,
  };
}

export type ValidationResult = { ok: true; report: SessionReport } | { ok: false; errors: InputError[] };

function localTime(date: string, time: string, zone: string): DateTime | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}(:\d{2})?$/.test(time)) return undefined;
  const value = DateTime.fromISO(`${date}T${time}`, { zone });
  return value.isValid ? value : undefined;
}

/** `requestedAt`: when Intune was asked; a session cannot have started before (less the clock skew). */
export function validateInputs(inputs: SessionInputs, timeZone: string, helperDevices: HelperDevice[], now: Date, requestedAt: Date): ValidationResult {
  const errors: InputError[] = [];
  if (!(SESSION_TYPES as readonly string[]).includes(inputs.sessionType)) errors.push('sessionTypeInvalid');

  const start = localTime(inputs.startDate, inputs.startTime, timeZone);
  const end = localTime(inputs.endDate, inputs.endTime, timeZone);
  if (!start) errors.push('startInvalid');
  if (!end) errors.push('endInvalid');
  if (start && end) {
    const current = DateTime.fromJSDate(now);
    if (end <= start) errors.push('endBeforeStart');
    else if (end.diff(start, 'hours').hours > MAX_SESSION_HOURS) errors.push('longerThanADay');
    if (end > current.plus({ minutes: CLOCK_SKEW_MINUTES })) errors.push('endInFuture');
    if (start < current.minus({ days: OLDEST_START_DAYS })) errors.push('startTooOld');
    else if (start < DateTime.fromJSDate(requestedAt).minus({ minutes: CLOCK_SKEW_MINUTES })) errors.push('startBeforeRequest');
  }

  const helperDeviceId = inputs.helperDeviceId === NO_HELPER_DEVICE ? null : inputs.helperDeviceId;
  if (helperDeviceId !== null && !helperDevices.some((d) => d.id === helperDeviceId)) errors.push('helperDeviceInvalid');

  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    report: {
      sessionType: inputs.sessionType as RemoteAssistanceSessionType,
      startDateTime: start!.toISO({ suppressMilliseconds: true })!,
      endDateTime: end!.toISO({ suppressMilliseconds: true })!,
      helperDeviceId,
    },
  };
}

/** Inputs that reproduce a validated report on the card (to show what was sent, or retry it). */
export function inputsOf(report: SessionReport): SessionInputs {
  const start = DateTime.fromISO(report.startDateTime, { setZone: true });
  const end = DateTime.fromISO(report.endDateTime, { setZone: true });
  return {
    sessionType: report.sessionType,
    startDate: start.toISODate()!,
    startTime: start.toFormat('HH:mm'),
    endDate: end.toISODate()!,
    endTime: end.toFormat('HH:mm'),
    helperDeviceId: report.helperDeviceId ?? NO_HELPER_DEVICE,
  };
}
