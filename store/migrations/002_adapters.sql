-- What adapters must remember across restarts (Matrix sync token, device id and access token).
CREATE TABLE adapter_state (
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,               -- UTC, ISO 8601
    PRIMARY KEY (platform, key)
);

-- Ledger of incoming events the bot took on, so that none is answered twice.
-- state: 'received' (taken on, answer not yet confirmed sent) or 'answered'.
CREATE TABLE handled_events (
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('received', 'answered', 'ignored')),
    received_at TEXT NOT NULL,              -- UTC, ISO 8601
    answered_at TEXT,
    reply_id TEXT,                          -- event id of the bot's answer, if known
    PRIMARY KEY (platform, event_id)
);
CREATE INDEX handled_events_by_time ON handled_events (received_at);
