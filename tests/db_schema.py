"""Reading a test database's schema on either backend (tables, columns), for tests that check
migrations or scan every column."""
from __future__ import annotations

from store.database import Database


async def tables(db: Database) -> set[str]:
    """The names of the tables (SQLite's own ``sqlite_*`` and PostgreSQL's catalogs left out)."""
    if db.dialect == "sqlite":
        rows = await db.fetch("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        rows = await db.fetch("SELECT table_name FROM information_schema.tables "
                              "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    return {row[0] for row in rows}


async def columns(db: Database, table: str) -> dict[str, str]:
    """Column name -> declared type (upper case: "TEXT", "INTEGER"; PostgreSQL: "TEXT", "INTEGER",
    "BIGINT")."""
    if db.dialect == "sqlite":
        return {row[1]: row[2].upper() for row in await db.fetch(f'PRAGMA table_info("{table}")')}
    rows = await db.fetch("SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_schema = current_schema() AND table_name = ?", table)
    return {row[0]: row[1].upper() for row in rows}
