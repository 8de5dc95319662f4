import { DateTime, IANAZone } from 'luxon';
import type { Messages } from './messages';

/** A zone Teams reported, if it is one we can compute with; UTC otherwise. */
export function safeTimeZone(zone: string | undefined): string {
  return zone && IANAZone.isValidZone(zone) ? zone : 'UTC';
}

/** A date and time as the technician reads them: their zone, their locale. */
export function formatDateTime(iso: string | null | undefined, zone: string, messages: Messages): string | undefined {
  if (!iso) return undefined;
  const value = DateTime.fromISO(iso, { setZone: true });
  return value.isValid ? value.setZone(zone).setLocale(messages.locale).toLocaleString(DateTime.DATETIME_MED) : undefined;
}

export function formatDuration(startIso: string, endIso: string, messages: Messages): string {
  const minutes = Math.round(DateTime.fromISO(endIso).diff(DateTime.fromISO(startIso), 'minutes').minutes);
  return messages.t('duration', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
