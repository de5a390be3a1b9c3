-- Late registrations (Nachmeldungen) of municipalities for AGs, their audit trail, and questions
-- the bot asked back ("Meinten Sie die AG Finanzen?") waiting for a "ja".
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL REFERENCES groups (key),
    organisation_key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
    registrant_platform TEXT NOT NULL,
    registrant_id TEXT NOT NULL,             -- pseudonymised on "daten-loeschen"
    registrant_name TEXT,                    -- display name, only if the platform gave one
    room_platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    created_at TEXT NOT NULL,                -- UTC, ISO 8601
    decided_at TEXT,
    decided_by TEXT,
    reason TEXT
);
-- at most one open registration per AG and organisation: concurrent attempts cannot duplicate it
CREATE UNIQUE INDEX registrations_one_pending ON registrations (group_key, organisation_key) WHERE state = 'pending';

CREATE TABLE registration_audit (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id),
    action TEXT NOT NULL CHECK (action IN ('created', 'approved', 'rejected', 'withdrawn')),
    actor_platform TEXT NOT NULL,
    actor_id TEXT NOT NULL,                  -- pseudonymised on "daten-loeschen"
    platform TEXT NOT NULL,                  -- where it happened
    room_id TEXT NOT NULL,
    at TEXT NOT NULL,                        -- UTC
    detail TEXT
);
CREATE INDEX registration_audit_by_registration ON registration_audit (registration_id);

CREATE TABLE pending_confirmations (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    command TEXT NOT NULL,                   -- the corrected command to run on "ja"
    expires_at TEXT NOT NULL,                -- UTC
    PRIMARY KEY (platform, room_id, user_id)
);
