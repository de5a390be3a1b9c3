-- PostgreSQL version of 007_programme_revisions.sql (store/database.py applies it instead there): the
-- same table and the same revision bumps, with one PL/pgSQL trigger function instead of SQLite's
-- trigger bodies. See the SQLite file for the scopes:
--   'group:<key>'  a group's members, milestones, session series (and its changes), extra sessions
--   'meta'         programme facts (programme_meta) and the exchange rounds' series (key 'austauschrunde')
--   'all'          organisations and the groups themselves: reload everything
-- Writers hold the project's advisory lock (store/database.py), so MAX(revision) + 1 is not raced.
-- The highest revision is also the PostgreSQL data_version (Database.data_version).
CREATE TABLE programme_revisions (
    scope TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
);
CREATE INDEX programme_revisions_by_revision ON programme_revisions (revision);

-- the scope of a series key: 'austauschrunde' -> 'meta', 'ag:<key>' -> 'group:<key>', else 'all'
CREATE FUNCTION programme_series_scope(series_key TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN series_key = 'austauschrunde' THEN 'meta'
                WHEN series_key LIKE 'ag:%' THEN 'group:' || substr(series_key, 4)
                ELSE 'all' END
$$;

CREATE FUNCTION programme_bump_revision(target TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO programme_revisions (scope, revision)
    VALUES (target, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions))
    ON CONFLICT (scope) DO UPDATE SET revision = excluded.revision
$$;

-- TG_ARGV[0]: how a row names its scope: 'meta', 'all' (fixed), 'group' (column group_key),
-- 'series' (column key), 'series_changes' (column series_key). An UPDATE bumps the old row's
-- scope and the new row's, like the SQLite triggers.
CREATE FUNCTION programme_revision_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind TEXT := TG_ARGV[0];
    old_scope TEXT;
    new_scope TEXT;
BEGIN
    IF kind IN ('meta', 'all') THEN
        PERFORM programme_bump_revision(kind);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_scope := CASE kind WHEN 'group' THEN 'group:' || (to_jsonb(OLD) ->> 'group_key')
                               WHEN 'series' THEN programme_series_scope(to_jsonb(OLD) ->> 'key')
                               ELSE programme_series_scope(to_jsonb(OLD) ->> 'series_key') END;
        PERFORM programme_bump_revision(old_scope);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        new_scope := CASE kind WHEN 'group' THEN 'group:' || (to_jsonb(NEW) ->> 'group_key')
                               WHEN 'series' THEN programme_series_scope(to_jsonb(NEW) ->> 'key')
                               ELSE programme_series_scope(to_jsonb(NEW) ->> 'series_key') END;
        PERFORM programme_bump_revision(new_scope);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER programme_meta_revision AFTER INSERT OR UPDATE OR DELETE ON programme_meta
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('meta');
CREATE TRIGGER organisations_revision AFTER INSERT OR UPDATE OR DELETE ON organisations
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('all');
CREATE TRIGGER groups_revision AFTER INSERT OR UPDATE OR DELETE ON groups
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('all');
CREATE TRIGGER memberships_revision AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('group');
CREATE TRIGGER milestones_revision AFTER INSERT OR UPDATE OR DELETE ON milestones
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('group');
CREATE TRIGGER extra_sessions_revision AFTER INSERT OR UPDATE OR DELETE ON extra_sessions
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('group');
CREATE TRIGGER series_revision AFTER INSERT OR UPDATE OR DELETE ON series
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('series');
CREATE TRIGGER series_changes_revision AFTER INSERT OR UPDATE OR DELETE ON series_changes
    FOR EACH ROW EXECUTE FUNCTION programme_revision_trigger('series_changes');
