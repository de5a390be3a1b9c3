-- Several bot processes on one database (issue 15): which process runs each [bot] instance.
-- One row per instance name ('' is the default instance), written by agbot run at start and
-- deleted at a clean stop. The running process renews heartbeat_at and lease_until every third of
-- its lease ([bot] claim_lease_seconds); a second process with the same instance name refuses to
-- start while the row's heartbeat moves, and takes over a row whose lease ran out (its process
-- died) or whose process is gone (same machine and pid namespace: pid_scope).
CREATE TABLE running_instances (
    instance TEXT PRIMARY KEY,
    owner TEXT NOT NULL,              -- the process: [instance@]host:pid:random (event_ledger.process_identity)
    host TEXT NOT NULL,               -- its host name (for the message)
    pid INTEGER NOT NULL,
    pid_scope TEXT NOT NULL,          -- boot id and pid namespace of the process: pids comparable within it ('' unknown)
    started_at TEXT NOT NULL,         -- UTC, ISO 8601
    heartbeat_at TEXT NOT NULL,       -- UTC, ISO 8601
    lease_until TEXT NOT NULL         -- UTC, ISO 8601
);
