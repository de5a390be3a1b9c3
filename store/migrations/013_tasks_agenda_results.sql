-- Follow-through between sessions (issue 14 items 1-3): tasks (Arbeitsaufträge), agenda topics
-- (Tagesordnung) and results (Ergebnisse), and the day a milestone was reached. Every change is
-- audited in work_audit (009) in the same transaction. Columns naming a chat user are listed in
-- store/personal_data.py (pseudonymised or cleared on "daten-loeschen").

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_organisation TEXT,                 -- organisation key (directory), or NULL
    owner_platform TEXT,                     -- a chat user as owner: platform and id ...
    owner_user_id TEXT,                      -- ... (pseudonymised on "daten-loeschen")
    owner_name TEXT,                         -- the user's display name as mentioned (cleared on erasure)
    due TEXT,                                -- local day (Europe/Berlin), YYYY-MM-DD, or NULL
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    created_platform TEXT NOT NULL,
    created_by TEXT NOT NULL,                -- pseudonymised on "daten-loeschen"
    created_at TEXT NOT NULL,                -- UTC, ISO 8601
    done_by TEXT,                            -- pseudonymised on "daten-loeschen"
    done_at TEXT                             -- UTC
);
CREATE INDEX tasks_by_group ON tasks (group_key, state, due);
CREATE INDEX tasks_open_due ON tasks (state, due);

CREATE TABLE agenda_topics (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL,
    title TEXT NOT NULL,
    session_start TEXT,                      -- UTC start of the session it was added for (NULL: none planned then)
    position INTEGER NOT NULL,               -- order within the AG's open topics (coordinators reorder)
    created_platform TEXT NOT NULL,
    created_by TEXT NOT NULL,                -- pseudonymised on "daten-loeschen"
    created_at TEXT NOT NULL                 -- UTC
);
CREATE INDEX agenda_topics_by_group ON agenda_topics (group_key, position);

CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL,
    text TEXT NOT NULL,
    task_id INTEGER,                         -- the task it belongs to (no foreign key: tasks may be deleted)
    milestone TEXT,                          -- the milestone title it belongs to
    created_platform TEXT NOT NULL,
    created_by TEXT NOT NULL,                -- pseudonymised on "daten-loeschen"
    created_at TEXT NOT NULL                 -- UTC
);
CREATE INDEX results_by_group ON results (group_key, created_at);

ALTER TABLE milestones ADD COLUMN reached TEXT;     -- local day the milestone was reached, YYYY-MM-DD
ALTER TABLE milestones ADD COLUMN reached_by TEXT;  -- pseudonymised on "daten-loeschen"
