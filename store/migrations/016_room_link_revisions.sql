-- Which AG a room is linked to is read from the bot's snapshot (bot.state), not from the database
-- before every answer: a change of a room's AG bumps the revision of the scope 'rooms' (see
-- 007_programme_revisions.sql), so that every process sees it as it sees a programme change
-- (SQLite: PRAGMA data_version; PostgreSQL: the notification of migration 015). Only the AG
-- counts: muting reminders or pseudonymising linked_by changes no answer and bumps nothing.
-- UPDATE, then INSERT ... WHERE NOT EXISTS, as in 007 (the link is an upsert).
CREATE TRIGGER room_links_insert_revision AFTER INSERT ON room_links BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'rooms';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'rooms', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'rooms');
END;
CREATE TRIGGER room_links_update_revision AFTER UPDATE OF group_key ON room_links
    WHEN OLD.group_key IS NOT NEW.group_key BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'rooms';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'rooms', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'rooms');
END;
CREATE TRIGGER room_links_delete_revision AFTER DELETE ON room_links BEGIN
    UPDATE programme_revisions SET revision = (SELECT MAX(revision) + 1 FROM programme_revisions)
        WHERE scope = 'rooms';
    INSERT INTO programme_revisions (scope, revision)
        SELECT 'rooms', (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions)
        WHERE NOT EXISTS (SELECT 1 FROM programme_revisions WHERE scope = 'rooms');
END;
