"""What an operator notices of PostgreSQL (issue 15 review), against the session's test server:
an outage is logged once (WARNING, the URL without password) and its end once (INFO), also the
loss and return of the change-notification connection, without asyncpg's traceback per retry;
a process holds one pool of at most ``[bot] database_pool_size`` connections plus one listening
connection (the reminder scheduler shares them); ``agbot migrate-db`` shows no password (not in
"is not empty", not in its "Next:" line), names a directory as such, does not repeat the URL, and
refuses while ``agbot run`` uses the SQLite file; a database of a newer AG-Bot is exit 2; a missing
password says where it comes from. Not parametrised by backend: PostgreSQL only."""
from __future__ import annotations

import asyncio
import logging

import pytest

from fakes import NOW, make_settings
from store.database import Database, DatabaseUnavailable
from store.run_lock import RunLock
from outage_proxy import TcpProxy


@pytest.fixture
def backend() -> str:
    return "postgresql"


@pytest.fixture
async def proxy(postgres_server):
    """A TCP proxy in front of the test server (to cut the connection: a database outage)."""
    forward = await TcpProxy("127.0.0.1", postgres_server.port).start()
    yield forward
    await forward.close()


def through(proxy: TcpProxy, url: str) -> str:
    """``url`` of the test server, reached through ``proxy``."""
    host, _, rest = url.partition("@")[2].partition("/")
    return url.replace(f"@{host}/", f"@127.0.0.1:{proxy.port}/")


async def eventually(check, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def test_an_outage_is_logged_once_and_its_end_once(postgres_server, proxy, caplog):
    url = through(proxy, postgres_server.create_database()) + "?password=nicht-noetig"
    db = await Database.open(url)
    try:
        assert db.listening
        caplog.set_level(logging.INFO)
        caplog.clear()
        await proxy.cut()
        for _ in range(5):  # messages arriving during the outage
            with pytest.raises(DatabaseUnavailable):
                await db.fetchval("SELECT 1")
        await asyncio.sleep(1.5)  # the pool's floor and the listener retry meanwhile
        await proxy.restore()

        async def answers() -> bool:
            try:
                return await db.fetchval("SELECT 1") == 1
            except DatabaseUnavailable:
                await asyncio.sleep(0.2)
                return False

        await eventually(answers)
        await eventually(lambda: asyncio.sleep(0, db.listening))
        records = [r for r in caplog.records if r.name.startswith(("store", "asyncpg"))]
        warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
        infos = [r.getMessage() for r in records if r.levelno == logging.INFO]
        shown = url.partition("?")[0]
        assert [w for w in warnings if "cannot be reached" in w] == [w for w in warnings if shown in w and "reached" in w]
        assert len([w for w in warnings if "cannot be reached" in w]) == 1, warnings
        assert len([w for w in warnings if "listening for programme changes was lost" in w]) == 1, warnings
        assert len(warnings) == 2, warnings
        assert len([i for i in infos if "is reachable again" in i]) == 1, infos
        assert len([i for i in infos if "listening for programme changes again" in i]) == 1, infos
        assert not [r for r in records if r.exc_info or "pool connection floor" in r.getMessage()]
        assert "nicht-noetig" not in caplog.text
    finally:
        await db.close()


async def test_a_process_holds_one_pool_of_the_configured_size_and_one_listening_connection(
        postgres_server, open_app):
    url = postgres_server.create_database()
    name = url.rsplit("/", 1)[1]
    settings = make_settings()
    settings.bot.database_pool_size = 2
    app = await open_app(database=url, settings_=settings)
    await app.build_dispatcher(outbox=None)  # type: ignore[arg-type]  # the reminder scheduler's store
    assert app.scheduler_db is app.db  # shared, not a second pool and listener
    await asyncio.gather(*(app.db.fetchval("SELECT pg_sleep(0.2)") for _ in range(6)))  # more than the pool
    counts = postgres_server.psql(
        f"SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = '{name}' "
        "GROUP BY application_name ORDER BY 1")
    assert dict(line.split("|") for line in counts.split()) == {"agbot": "2", "agbot-listen": "1"}


def test_migrate_db_shows_no_password_names_a_directory_and_does_not_repeat_the_url(
        run_cli, tmp_path, postgres_server):
    from pg_server import PASSWORD_USER, PASSWORD_USER_PASSWORD

    db = tmp_path / "agbot.sqlite3"
    assert run_cli("ask", "--db", db, "Wer leitet die AG Finanzen?").returncode == 0
    name = postgres_server.create_database(owner=PASSWORD_USER).rsplit("/", 1)[1]
    plain = postgres_server.url(name, user=PASSWORD_USER)
    with_password = f"{plain}?password={PASSWORD_USER_PASSWORD}"

    done = run_cli("migrate-db", "--from", db, "--to", with_password)
    assert done.returncode == 0, done.stderr
    assert PASSWORD_USER_PASSWORD not in done.stdout and "***" not in done.stdout
    [next_line] = [line for line in done.stdout.splitlines() if line.startswith("Next:")]
    assert f'[bot] database = "{plain}"' in next_line and "PGPASSWORD" in next_line

    again = run_cli("migrate-db", "--from", db, "--to", with_password)
    assert again.returncode == 1 and "is not empty" in again.stderr and "--replace" in again.stderr
    assert PASSWORD_USER_PASSWORD not in again.stderr and plain in again.stderr

    folder = run_cli("migrate-db", "--from", tmp_path, "--to", plain)
    assert folder.returncode == 1 and "is a directory" in folder.stderr and "no such file" not in folder.stderr

    unreachable = "postgresql://agbot:geheim@127.0.0.1:1/agbot"
    failed = run_cli("migrate-db", "--from", db, "--to", unreachable)
    assert failed.returncode == 1 and failed.stderr.count("postgresql://agbot@127.0.0.1:1/agbot") == 1, failed.stderr
    assert "geheim" not in failed.stderr and "nothing copied" in failed.stderr

    with RunLock(db, exclusive=False):  # what agbot run holds on the file
        running = run_cli("migrate-db", "--from", db, "--to", plain, "--replace")
    assert running.returncode == 1 and "stop it first" in running.stderr


def test_a_postgresql_database_of_a_newer_ag_bot_is_exit_2(run_cli, postgres_server):
    url = postgres_server.create_database()
    assert run_cli("ask", "--db", url, "hallo").returncode == 0
    postgres_server.psql("UPDATE schema_version SET version = 99", database=url.rsplit("/", 1)[1])
    refused = run_cli("ask", "--db", url, "hallo")
    assert refused.returncode == 2 and "has schema 99, newer than this program" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1


def test_migrate_db_refuses_to_create_the_tables_as_another_role_than_the_bot_uses(run_cli, tmp_path, postgres_server):
    """Run as the superuser into a database owned by the bot's role, the tables would belong to the
    superuser and the bot would get "permission denied for table schema_version"."""
    from pg_server import PASSWORD_USER, PASSWORD_USER_PASSWORD

    db = tmp_path / "agbot.sqlite3"
    assert run_cli("ask", "--db", db, "hallo").returncode == 0
    name = postgres_server.create_database(owner=PASSWORD_USER).rsplit("/", 1)[1]
    as_superuser = run_cli("migrate-db", "--from", db, "--to", postgres_server.url(name))
    assert as_superuser.returncode == 1 and "Run migrate-db as the role the bot uses" in as_superuser.stderr
    assert f"--to postgresql://{PASSWORD_USER}@" in as_superuser.stderr
    assert postgres_server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database=name).strip() == "0"

    as_bot = postgres_server.url(name, user=PASSWORD_USER) + f"?password={PASSWORD_USER_PASSWORD}"
    assert run_cli("migrate-db", "--from", db, "--to", as_bot).returncode == 0
    again = run_cli("migrate-db", "--from", db, "--to", postgres_server.url(name), "--replace")
    assert again.returncode == 1 and f"belong to the role {PASSWORD_USER}" in again.stderr
    on_target = run_cli("ask", "--db", as_bot, "Wer leitet die AG Finanzen?")  # the bot's role can use its tables
    assert on_target.returncode == 0 and "Finanzen" in on_target.stdout


async def test_a_unix_socket_url_as_the_readme_shows_it(postgres_server):
    name = postgres_server.create_database().rsplit("/", 1)[1]
    db = await Database.open(f"postgresql://postgres@/{name}?host={postgres_server.root}&port={postgres_server.port}")
    try:
        assert await db.fetchval("SELECT inet_server_addr() IS NULL")  # not over TCP
        assert db.listening
    finally:
        await db.close()
