-- Which parts of the programme changed, for processes that keep a snapshot of it (bot.state): every
-- insert, update or delete in a programme table bumps the revision of its scope, by trigger, whoever
-- wrote it (this process, another bot process, the CLI). One counter runs across all scopes; a reader
-- asks for the scopes whose revision is above the highest it has seen. Scopes:
--   'group:<key>'  a group's members, milestones, session series (and its changes), extra sessions
--   'meta'         programme facts (programme_meta) and the exchange rounds' series (key 'austauschrunde')
--   'all'          organisations and the groups themselves (names, aliases, leads, order): reload everything
-- A write that touches no programme table (reminder ledger, room links, registrations before approval)
-- bumps nothing, so readers keep their snapshot.
-- The triggers use UPDATE, then INSERT ... WHERE NOT EXISTS, and no ON CONFLICT clause: inside a
-- trigger SQLite applies the conflict policy of the statement that fired it (an upsert, say).
CREATE TABLE programme_revisions (
    scope TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
);
CREATE INDEX programme_revisions_by_revision ON programme_revisions (revision);

-- programme_meta
CREATE TRIGGER programme_meta_insert_revision AFTER INSERT ON programme_meta BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'meta';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'meta', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'meta');
END;
CREATE TRIGGER programme_meta_update_revision AFTER UPDATE ON programme_meta BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'meta';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'meta', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'meta');
END;
CREATE TRIGGER programme_meta_delete_revision AFTER DELETE ON programme_meta BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'meta';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'meta', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'meta');
END;

-- organisations
CREATE TRIGGER organisations_insert_revision AFTER INSERT ON organisations BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'all';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'all', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'all');
END;
CREATE TRIGGER organisations_update_revision AFTER UPDATE ON organisations BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'all';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'all', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'all');
END;
CREATE TRIGGER organisations_delete_revision AFTER DELETE ON organisations BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'all';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'all', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'all');
END;

-- groups
CREATE TRIGGER groups_insert_revision AFTER INSERT ON groups BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'all';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'all', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'all');
END;
CREATE TRIGGER groups_update_revision AFTER UPDATE ON groups BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'all';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'all', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'all');
END;
CREATE TRIGGER groups_delete_revision AFTER DELETE ON groups BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'all';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'all', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'all');
END;

-- memberships
CREATE TRIGGER memberships_insert_revision AFTER INSERT ON memberships BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || NEW.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || NEW.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || NEW.group_key);
END;
CREATE TRIGGER memberships_update_revision AFTER UPDATE ON memberships BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || OLD.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || OLD.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || OLD.group_key);
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || NEW.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || NEW.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || NEW.group_key);
END;
CREATE TRIGGER memberships_delete_revision AFTER DELETE ON memberships BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || OLD.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || OLD.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || OLD.group_key);
END;

-- milestones
CREATE TRIGGER milestones_insert_revision AFTER INSERT ON milestones BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || NEW.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || NEW.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || NEW.group_key);
END;
CREATE TRIGGER milestones_update_revision AFTER UPDATE ON milestones BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || OLD.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || OLD.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || OLD.group_key);
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || NEW.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || NEW.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || NEW.group_key);
END;
CREATE TRIGGER milestones_delete_revision AFTER DELETE ON milestones BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || OLD.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || OLD.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || OLD.group_key);
END;

-- extra_sessions
CREATE TRIGGER extra_sessions_insert_revision AFTER INSERT ON extra_sessions BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || NEW.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || NEW.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || NEW.group_key);
END;
CREATE TRIGGER extra_sessions_update_revision AFTER UPDATE ON extra_sessions BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || OLD.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || OLD.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || OLD.group_key);
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || NEW.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || NEW.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || NEW.group_key);
END;
CREATE TRIGGER extra_sessions_delete_revision AFTER DELETE ON extra_sessions BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'group:' || OLD.group_key;
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'group:' || OLD.group_key, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'group:' || OLD.group_key);
END;

-- series
CREATE TRIGGER series_insert_revision AFTER INSERT ON series BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN NEW.key = 'austauschrunde' THEN 'meta' WHEN NEW.key LIKE 'ag:%' THEN 'group:' || substr(NEW.key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN NEW.key = 'austauschrunde' THEN 'meta' WHEN NEW.key LIKE 'ag:%' THEN 'group:' || substr(NEW.key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN NEW.key = 'austauschrunde' THEN 'meta' WHEN NEW.key LIKE 'ag:%' THEN 'group:' || substr(NEW.key, 4) ELSE 'all' END);
END;
CREATE TRIGGER series_update_revision AFTER UPDATE ON series BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN OLD.key = 'austauschrunde' THEN 'meta' WHEN OLD.key LIKE 'ag:%' THEN 'group:' || substr(OLD.key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN OLD.key = 'austauschrunde' THEN 'meta' WHEN OLD.key LIKE 'ag:%' THEN 'group:' || substr(OLD.key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN OLD.key = 'austauschrunde' THEN 'meta' WHEN OLD.key LIKE 'ag:%' THEN 'group:' || substr(OLD.key, 4) ELSE 'all' END);
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN NEW.key = 'austauschrunde' THEN 'meta' WHEN NEW.key LIKE 'ag:%' THEN 'group:' || substr(NEW.key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN NEW.key = 'austauschrunde' THEN 'meta' WHEN NEW.key LIKE 'ag:%' THEN 'group:' || substr(NEW.key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN NEW.key = 'austauschrunde' THEN 'meta' WHEN NEW.key LIKE 'ag:%' THEN 'group:' || substr(NEW.key, 4) ELSE 'all' END);
END;
CREATE TRIGGER series_delete_revision AFTER DELETE ON series BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN OLD.key = 'austauschrunde' THEN 'meta' WHEN OLD.key LIKE 'ag:%' THEN 'group:' || substr(OLD.key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN OLD.key = 'austauschrunde' THEN 'meta' WHEN OLD.key LIKE 'ag:%' THEN 'group:' || substr(OLD.key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN OLD.key = 'austauschrunde' THEN 'meta' WHEN OLD.key LIKE 'ag:%' THEN 'group:' || substr(OLD.key, 4) ELSE 'all' END);
END;

-- series_changes
CREATE TRIGGER series_changes_insert_revision AFTER INSERT ON series_changes BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN NEW.series_key = 'austauschrunde' THEN 'meta' WHEN NEW.series_key LIKE 'ag:%' THEN 'group:' || substr(NEW.series_key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN NEW.series_key = 'austauschrunde' THEN 'meta' WHEN NEW.series_key LIKE 'ag:%' THEN 'group:' || substr(NEW.series_key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN NEW.series_key = 'austauschrunde' THEN 'meta' WHEN NEW.series_key LIKE 'ag:%' THEN 'group:' || substr(NEW.series_key, 4) ELSE 'all' END);
END;
CREATE TRIGGER series_changes_update_revision AFTER UPDATE ON series_changes BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN OLD.series_key = 'austauschrunde' THEN 'meta' WHEN OLD.series_key LIKE 'ag:%' THEN 'group:' || substr(OLD.series_key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN OLD.series_key = 'austauschrunde' THEN 'meta' WHEN OLD.series_key LIKE 'ag:%' THEN 'group:' || substr(OLD.series_key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN OLD.series_key = 'austauschrunde' THEN 'meta' WHEN OLD.series_key LIKE 'ag:%' THEN 'group:' || substr(OLD.series_key, 4) ELSE 'all' END);
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN NEW.series_key = 'austauschrunde' THEN 'meta' WHEN NEW.series_key LIKE 'ag:%' THEN 'group:' || substr(NEW.series_key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN NEW.series_key = 'austauschrunde' THEN 'meta' WHEN NEW.series_key LIKE 'ag:%' THEN 'group:' || substr(NEW.series_key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN NEW.series_key = 'austauschrunde' THEN 'meta' WHEN NEW.series_key LIKE 'ag:%' THEN 'group:' || substr(NEW.series_key, 4) ELSE 'all' END);
END;
CREATE TRIGGER series_changes_delete_revision AFTER DELETE ON series_changes BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = CASE WHEN OLD.series_key = 'austauschrunde' THEN 'meta' WHEN OLD.series_key LIKE 'ag:%' THEN 'group:' || substr(OLD.series_key, 4) ELSE 'all' END;
    INSERT INTO programme_revisions (scope, revision)
        SELECT CASE WHEN OLD.series_key = 'austauschrunde' THEN 'meta' WHEN OLD.series_key LIKE 'ag:%' THEN 'group:' || substr(OLD.series_key, 4) ELSE 'all' END, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = CASE WHEN OLD.series_key = 'austauschrunde' THEN 'meta' WHEN OLD.series_key LIKE 'ag:%' THEN 'group:' || substr(OLD.series_key, 4) ELSE 'all' END);
END;
