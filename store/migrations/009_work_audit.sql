-- The audit of the groups' work between sessions (issue 14): who created, changed, closed or
-- deleted a task, agenda topic, result, risk, attendance answer or date poll, when and where.
-- Every feature writes its row in the same transaction as the change (see store/work_audit.py).
CREATE TABLE work_audit (
    id INTEGER PRIMARY KEY,
    item_kind TEXT NOT NULL,                 -- 'auftrag', 'top', 'ergebnis', 'risiko', 'teilnahme', 'umfrage'
    item_id INTEGER NOT NULL,                -- the item's number in its own table
    group_key TEXT NOT NULL,                 -- the AG ('austauschrunde' for the joint round)
    action TEXT NOT NULL,                    -- 'created', 'changed', 'done', 'reopened', 'deleted', 'moved', 'answered', 'voted', 'closed'
    actor_platform TEXT NOT NULL,
    actor_id TEXT NOT NULL,                  -- pseudonymised on "daten-loeschen"
    platform TEXT NOT NULL,                  -- where it happened
    room_id TEXT NOT NULL,
    at TEXT NOT NULL,                        -- UTC, ISO 8601
    detail TEXT                              -- what changed, short German text (no message bodies)
);
CREATE INDEX work_audit_by_item ON work_audit (item_kind, item_id);
CREATE INDEX work_audit_by_group ON work_audit (group_key, at);
