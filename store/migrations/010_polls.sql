-- Attendance (Teilnahme) and date polls (Terminabstimmung), issue 14 items 5 and 6, and the bot's
-- messages users answer with one tap (Matrix reactions and native polls; see store/polls.py).
-- Every change is audited in work_audit ('teilnahme', 'umfrage') in the same transaction.

-- One answer per session occurrence and person, or per session occurrence and organisation
-- (answered "fuer=" a member organisation of the AG); a second answer replaces the first.
CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    group_key TEXT NOT NULL,
    session_start TEXT NOT NULL,             -- the occurrence's original start, UTC ISO 8601
    organisation_key TEXT NOT NULL DEFAULT '', -- '' = the person answers for themself
    answer TEXT NOT NULL CHECK (answer IN ('ja', 'nein', 'vielleicht')),
    person_platform TEXT NOT NULL,
    person_id TEXT NOT NULL,                 -- who answered; pseudonymised on "daten-loeschen"
    person_name TEXT,                        -- display name if the platform gave one; NULL on "daten-loeschen"
    answered_at TEXT NOT NULL                -- UTC
);
CREATE UNIQUE INDEX attendance_one_per_person ON attendance (group_key, session_start, person_platform, person_id)
    WHERE organisation_key = '';
CREATE UNIQUE INDEX attendance_one_per_organisation ON attendance (group_key, session_start, organisation_key)
    WHERE organisation_key <> '';

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,                  -- the number users type (!abstimmen 3 1 2)
    group_key TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')) DEFAULT 'open',
    created_by TEXT NOT NULL,                -- pseudonymised on "daten-loeschen"
    created_at TEXT NOT NULL,                -- UTC
    closed_at TEXT,
    chosen_option INTEGER                    -- the option made a session on closing, if any
);

CREATE TABLE poll_options (
    poll_id INTEGER NOT NULL REFERENCES polls (id),
    number INTEGER NOT NULL,                 -- 1, 2, ... as shown
    start TEXT NOT NULL,                     -- local wall-clock time in Europe/Berlin, ISO 8601 without zone
    holiday TEXT,                            -- name of the public holiday of Sachsen-Anhalt on that day
    PRIMARY KEY (poll_id, number)
);

-- one vote per poll and voter; a vote (one or more options) replaces the voter's previous one
CREATE TABLE poll_votes (
    poll_id INTEGER NOT NULL REFERENCES polls (id),
    voter_platform TEXT NOT NULL,
    voter_id TEXT NOT NULL,                  -- pseudonymised on "daten-loeschen" (the counts stay)
    options TEXT NOT NULL,                   -- the chosen option numbers, "1,3"
    voted_at TEXT NOT NULL,                  -- UTC
    PRIMARY KEY (poll_id, voter_platform, voter_id)
);

-- Bot messages answered by a tap: which choice stands for which command. Matrix: an attendance
-- question answered by reactions, a native poll (m.poll.start) answered by m.poll.response.
CREATE TABLE prompt_messages (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    message_id TEXT NOT NULL,                -- the bot's event id
    prompt TEXT NOT NULL,                    -- JSON: bot.messages.Prompt (no user ids)
    created_at TEXT NOT NULL,                -- UTC
    PRIMARY KEY (platform, room_id, message_id)
);

-- Reactions users gave to a prompt message, so that a redacted reaction withdraws its answer
-- (the redaction names only the reaction's event id).
CREATE TABLE prompt_reactions (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    reaction_id TEXT NOT NULL,               -- the reaction's event id
    message_id TEXT NOT NULL,                -- the prompt message it annotates
    user_id TEXT NOT NULL,                   -- pseudonymised on "daten-loeschen"
    choice TEXT NOT NULL,                    -- the choice's key
    at TEXT NOT NULL,                        -- UTC
    PRIMARY KEY (platform, room_id, reaction_id)
);
CREATE INDEX prompt_reactions_by_message ON prompt_reactions (platform, room_id, message_id, user_id);
