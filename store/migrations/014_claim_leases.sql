-- Several bot processes on one database (issue 15, phase 2).
-- A claim of an incoming event has an owner (the process: host:pid:random) and an expiry: while
-- the lease runs, only its owner answers the event; after it, another process may take it over.
-- Rows claimed before this migration have no lease and count as expired (today's behaviour).
ALTER TABLE handled_events ADD COLUMN lease_owner TEXT;
ALTER TABLE handled_events ADD COLUMN lease_until TEXT;       -- UTC, ISO 8601

-- Matrix events of the bot's account as any of its processes saw them in a sync, by the
-- transaction id the sending process put into the content. A homeserver deduplicates transaction
-- ids per device only; a process retrying another (dead) process's send looks here first, so the
-- retry from its own device does not post a second event.
CREATE TABLE sent_transactions (
    platform TEXT NOT NULL,
    txn_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,                  -- UTC, ISO 8601
    PRIMARY KEY (platform, txn_id)
);
CREATE INDEX sent_transactions_by_time ON sent_transactions (seen_at);
