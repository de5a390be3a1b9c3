-- Programme data: seeded from the programme file once, then the database is the truth.
CREATE TABLE programme_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL                      -- bot.programme.Meta as JSON (without exchange_series)
);

CREATE TABLE organisations (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL                      -- bot.programme.Organisation as JSON
);

CREATE TABLE groups (
    key TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('AG', 'UAG')),
    parent_key TEXT REFERENCES groups (key),
    data TEXT NOT NULL                      -- name, aliases, leads, goals, conditions, milestone_note
);

CREATE TABLE memberships (
    group_key TEXT NOT NULL REFERENCES groups (key) ON DELETE CASCADE,
    organisation_key TEXT NOT NULL,         -- programme organisation or Destatis "ars-..." key
    status TEXT NOT NULL CHECK (status IN ('member', 'vorbehalt', 'vorschlag')),
    note TEXT,
    source TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,               -- UTC, ISO 8601
    PRIMARY KEY (group_key, organisation_key)
);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL REFERENCES groups (key) ON DELETE CASCADE,
    title TEXT NOT NULL,
    due TEXT,                               -- calendar date YYYY-MM-DD (Europe/Berlin) or NULL
    note TEXT,
    position INTEGER NOT NULL,
    updated_at TEXT,                        -- UTC, ISO 8601
    updated_by TEXT,
    UNIQUE (group_key, title)
);

-- Session series: key "ag:<group key>" for a group's sessions, "austauschrunde" for the joint
-- exchange rounds. start is local wall-clock time in the named time zone.
CREATE TABLE series (
    key TEXT PRIMARY KEY,
    start_local TEXT NOT NULL,
    rrule TEXT NOT NULL,
    timezone TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    location TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

-- A chat room (Matrix room, Teams conversation, console) linked to an AG.
CREATE TABLE room_links (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    group_key TEXT NOT NULL REFERENCES groups (key) ON DELETE CASCADE,
    linked_by TEXT,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (platform, room_id)
);
CREATE INDEX room_links_by_group ON room_links (group_key);
