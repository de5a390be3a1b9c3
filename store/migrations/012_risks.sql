-- The risk register of each AG (issue 14, Risiko-Matrix): Wahrscheinlichkeit and Auswirkung on
-- 1-5 scales, the score is their product (bot/risks.py). Closed risks stay for the history; every
-- change is audited in work_audit (item_kind 'risiko') in the same transaction (store/risks.py).
CREATE TABLE risks (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL REFERENCES groups (key),
    title TEXT NOT NULL,
    wahrscheinlichkeit INTEGER NOT NULL CHECK (wahrscheinlichkeit BETWEEN 1 AND 5),
    auswirkung INTEGER NOT NULL CHECK (auswirkung BETWEEN 1 AND 5),
    massnahme TEXT,                          -- the planned countermeasure, free text
    owner_organisation TEXT,                 -- verantwortlich: an organisation of the AG (directory key)
    owner_name TEXT,                         -- verantwortlich: a person or body, free text as typed
    owner_user TEXT,                         -- verantwortlich: a chat user id; pseudonymised on "daten-loeschen"
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_at TEXT NOT NULL,                -- UTC, ISO 8601
    updated_at TEXT NOT NULL,                -- UTC
    closed_at TEXT,                          -- UTC
    closed_reason TEXT
);
CREATE INDEX risks_by_group ON risks (group_key, state);
