-- Changes to single occurrences of a series (RFC 5545 EXDATE / RECURRENCE-ID), extra sessions,
-- the per-room reminder switch and the reminder delivery ledger.

-- One row per changed occurrence of a series ("ag:<group>" or "austauschrunde"), keyed by the
-- occurrence's original local start. kind 'cancelled': EXDATE; 'moved': new_start_local.
CREATE TABLE series_changes (
    series_key TEXT NOT NULL,
    original_local TEXT NOT NULL,           -- local wall-clock start as the series computes it
    kind TEXT NOT NULL CHECK (kind IN ('cancelled', 'moved')),
    new_start_local TEXT,                   -- for 'moved'
    reason TEXT,
    changed_by TEXT,
    changed_at TEXT NOT NULL,               -- UTC, ISO 8601
    PRIMARY KEY (series_key, original_local)
);

-- Single extra sessions of a group, outside its series.
CREATE TABLE extra_sessions (
    group_key TEXT NOT NULL REFERENCES groups (key) ON DELETE CASCADE,
    start_local TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    location TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_key, start_local)
);

ALTER TABLE room_links ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;  -- 0: room muted reminders

-- Reminder delivery ledger: exactly one row per (reminder, room). A dispatcher takes a row with
-- a lease before sending; 'sent' and 'dropped' rows are final.
CREATE TABLE reminder_deliveries (
    reminder_key TEXT NOT NULL,             -- occurrence key + offset
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('leased', 'sent', 'dropped', 'failed')),
    lease_owner TEXT,
    lease_until TEXT,                       -- UTC, ISO 8601
    due_at TEXT NOT NULL,                   -- UTC
    done_at TEXT,                           -- UTC
    late INTEGER NOT NULL DEFAULT 0,
    message_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (reminder_key, platform, room_id)
);

CREATE TABLE scheduler_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
