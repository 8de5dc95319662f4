/**
 * The schema, one migration per version: migration i brings `PRAGMA user_version` from i to i + 1. Never
 * change a released migration; add one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    technician_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX sessions_by_technician ON sessions (tenant_id, technician_id, created_at DESC);
  CREATE INDEX sessions_submitted ON sessions (updated_at) WHERE state = 'submitted';

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 0,
    receipt TEXT
  ) STRICT;
  CREATE INDEX outbox_by_visibility ON outbox (visible_at, id);

  CREATE TABLE once_claims (
    key TEXT PRIMARY KEY,
    claimed_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX once_claims_by_age ON once_claims (claimed_at);

  CREATE TABLE pending_sign_ins (
    exchange_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    saved_at INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX pending_sign_ins_by_age ON pending_sign_ins (saved_at);
  `,
  // 2: sessions listed by any housekeeping state (open requests as well as stranded reports).
  `
  DROP INDEX sessions_submitted;
  CREATE INDEX sessions_by_state ON sessions (state, updated_at) WHERE state IN ('submitted', 'asked');
  `,
  // 3: Intune writes of the last window, shared by the processes on this file.
  `
  CREATE TABLE intune_writes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX intune_writes_by_time ON intune_writes (at);
  `,
  // 4: retention and the audit export find sessions by creation; the housekeeping lists `requested` ones (to
  // close those abandoned). The partial index of 2 was never used: SQLite cannot tell that `state = ?` falls
  // inside its WHERE, so listing by state scanned the table; a full index it can use. Earlier versions kept a
  // taken request's created_at at the time it was asked: brought in line with the body, which the
  // by-technician listing and retention go by.
  `
  UPDATE sessions SET created_at = json_extract(body, '$.createdAt')
    WHERE json_extract(body, '$.createdAt') IS NOT NULL AND created_at <> json_extract(body, '$.createdAt');
  CREATE INDEX sessions_by_creation ON sessions (created_at, id);
  DROP INDEX sessions_by_state;
  CREATE INDEX sessions_by_state ON sessions (state, updated_at);
  `,
  // 5: when a report was queued, for the outbox's oldest age (visible_at moves on each retry). Earlier rows
  // keep NULL and count from when they are next visible.
  `
  ALTER TABLE outbox ADD COLUMN queued_at INTEGER;
  `,
];
