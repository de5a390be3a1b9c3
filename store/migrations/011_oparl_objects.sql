-- What the OParl interface (issue 16) published: one row per object path below the API root
-- (e.g. 'meeting/sitzung.finanzen.20230126T1000'), so that "modified" moves when the published
-- content changes and an object that disappeared is served as deleted (OParl 1.1 "Gelöschte
-- Objekte": soft delete, never 404). Rows are never removed. No chat user ids here: person paths
-- are hashes of the lead's name from the programme.
CREATE TABLE oparl_objects (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                      -- OParl type name: 'Meeting', 'Organization', ...
    fingerprint TEXT NOT NULL,               -- SHA-256 of the published content (without times)
    created_at TEXT NOT NULL,                -- UTC, ISO 8601
    modified_at TEXT NOT NULL,               -- UTC: last change of the content, or the deletion
    deleted_at TEXT                          -- UTC, NULL while published
);
CREATE INDEX oparl_objects_by_kind ON oparl_objects (kind, path);
