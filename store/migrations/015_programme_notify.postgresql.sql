-- PostgreSQL: every statement that changes the programme revisions (migration 007's triggers write
-- them in every transaction that changes the programme, whoever commits it) sends a notification on
-- the channel 'agbot_programme' at COMMIT. Each bot process listens on one connection of its own and
-- counts them, so that asking whether the programme changed costs no round trip to the server
-- (store/db_postgres.py, data_version). PostgreSQL folds identical notifications of one transaction
-- into one, and delivers none for a transaction rolled back.
CREATE FUNCTION programme_revisions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agbot_programme', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER programme_revisions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON programme_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION programme_revisions_notify();
