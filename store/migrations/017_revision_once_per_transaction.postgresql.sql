-- PostgreSQL: a transaction bumps each programme revision scope once. Migration 007 bumped the scope
-- of every changed row; seeding 5,000 organisations in one transaction then updated the row 'all'
-- 5,000 times, and PostgreSQL keeps every version of a row updated in a transaction until its end
-- (both indexes name each one), so each further bump walked through all earlier versions: quadratic
-- (12.6 s to seed 500 AGs against 2.2 s on SQLite). Bumping a scope again in the same transaction
-- changes nothing a reader can see: readers only see committed revisions, all below the first bump
-- of this transaction, so the scope is already above what any reader knows. The scopes bumped are
-- remembered in transaction-local settings (set_config(..., true): gone at COMMIT or ROLLBACK, and
-- undone with a rolled-back savepoint, as the bump itself).
CREATE OR REPLACE FUNCTION programme_bump_revision(target TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    marker TEXT := 'agbot_revision.s' || md5(target);
BEGIN
    IF current_setting(marker, true) = 'bumped' THEN
        RETURN;
    END IF;
    PERFORM set_config(marker, 'bumped', true);
    INSERT INTO programme_revisions (scope, revision)
    VALUES (target, (SELECT COALESCE(MAX(revision), 0) + 1 FROM programme_revisions))
    ON CONFLICT (scope) DO UPDATE SET revision = excluded.revision;
END
$$;
