import { DateTime, IANAZone, Info, type Zone } from 'luxon';
import type { Messages } from './messages';

/** Zones already checked (luxon's check builds a formatter each time); bounded, since the value comes from outside. */
const checkedZones = new Map<string, boolean>();

/** A zone Teams reported, if it is one we can compute with; UTC otherwise. */
export function safeTimeZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  let valid = checkedZones.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (checkedZones.size > 1000) checkedZones.clear();
    checkedZones.set(zone, valid);
  }
  return valid ? zone : 'UTC';
}

/** Zones by name as luxon reads them. Given a name, luxon checks it by building an Intl formatter, on every call. */
const zones = new Map<string, Zone>();

/** The zone of a name (one safeTimeZone returned), built once; bounded, since the names come from outside. */
export function zoneNamed(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    if (zones.size > 1000) zones.clear();
    zone = Info.normalizeZone(name);
    zones.set(name, zone);
  }
  return zone;
}

/** A date and time as the technician reads them: their zone, their locale. */
export function formatDateTime(iso: string | null | undefined, zone: string, messages: Messages): string | undefined {
  if (!iso) return undefined;
  const value = DateTime.fromISO(iso, { setZone: true });
  return value.isValid ? value.setZone(zoneNamed(zone)).setLocale(messages.locale).toLocaleString(DateTime.DATETIME_MED) : undefined;
}

export function formatDuration(startIso: string, endIso: string, messages: Messages): string {
  const minutes = Math.round(DateTime.fromISO(endIso).diff(DateTime.fromISO(startIso), 'minutes').minutes);
  return messages.t('duration', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
