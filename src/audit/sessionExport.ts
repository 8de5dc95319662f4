// The audit export: one row per session, as CSV or JSON lines. Intune keeps Remote Help session data for 30
// days; this log is kept for SESSION_RETENTION_DAYS.
import { stringify } from 'csv-stringify/sync';
import type { Session } from '../sessions/session';

/** The columns, in order; the CSV header and the JSON keys. */
export const EXPORT_COLUMNS = [
  'createdAt',
  'technicianName',
  'technicianId',
  'deviceName',
  'deviceId',
  'userName',
  'userPrincipalName',
  'sessionType',
  'start',
  'end',
  'outcome',
  'reportId',
  'reportedAt',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | null>;
export type ExportFormat = 'csv' | 'jsonl';

/**
 * A session as the auditor reads it. `outcome` is the state, except `abandoned` for a session the
 * housekeeping closed (state `cancelled` with `abandonedAt`). The report id is the session id: it is what
 * AssistDesk sends Intune as the report's id.
 */
export function exportRow(session: Session): ExportRow {
  return {
    createdAt: session.createdAt,
    technicianName: session.technician.name || null,
    technicianId: session.technician.aadObjectId || null,
    deviceName: session.device.deviceName ?? null,
    deviceId: session.device.id ?? null,
    userName: session.device.userDisplayName ?? null,
    userPrincipalName: session.device.userPrincipalName ?? null,
    sessionType: session.report?.sessionType ?? null,
    start: session.report?.startDateTime ?? null,
    end: session.report?.endDateTime ?? null,
    outcome: session.state === 'cancelled' && session.abandonedAt ? 'abandoned' : session.state,
    reportId: session.id,
    reportedAt: session.reportedAt ?? null,
  };
}

/**
 * RFC 4180 through csv-stringify: CRLF between records; a field with a comma, quote, CR or LF quoted, quotes
 * doubled; and, against formula injection (OWASP), a cell starting with =, +, -, @, tab or CR (or their
 * full-width forms) prefixed with a single quote. Device and people names come from Intune and Entra, and
 * some here start with such characters.
 */
const CSV_OPTIONS = { escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

export function csvHeader(): string {
  return stringify([[...EXPORT_COLUMNS]], CSV_OPTIONS);
}

export function formatRow(row: ExportRow, format: ExportFormat): string {
  if (format === 'jsonl') return `${JSON.stringify(row)}\n`;
  return stringify([EXPORT_COLUMNS.map((column) => row[column] ?? '')], CSV_OPTIONS);
}
