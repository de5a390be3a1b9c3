-- PostgreSQL version of 016_room_link_revisions.sql: a change of a room's AG bumps the revision of
-- the scope 'rooms' (programme_bump_revision of migration 007), and the notification trigger of
-- migration 015 tells every listening bot process at COMMIT, so that the room links can be read
-- from the snapshot (bot.state) instead of asking the server before every answer. Writers of
-- room_links hold the project's advisory lock (RoomLinkRepository is serialized), as 007 requires.
CREATE FUNCTION room_links_revision_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM programme_bump_revision('rooms');
    RETURN NULL;
END
$$;

CREATE TRIGGER room_links_revision AFTER INSERT OR DELETE ON room_links
    FOR EACH ROW EXECUTE FUNCTION room_links_revision_trigger();
CREATE TRIGGER room_links_group_revision AFTER UPDATE OF group_key ON room_links
    FOR EACH ROW WHEN (OLD.group_key IS DISTINCT FROM NEW.group_key) EXECUTE FUNCTION room_links_revision_trigger();
