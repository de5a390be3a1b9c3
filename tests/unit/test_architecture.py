"""Layering rules, checked on the source with ``ast``: the core knows no chat SDK, no scheduler,
no HTTP library and no database driver; only the composition root touches the outer layers."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = sorted((ROOT / "bot").rglob("*.py"))
STORE = sorted((ROOT / "store").glob("*.py"))
SDKS = {"nio", "botbuilder", "botframework", "apscheduler", "aiohttp", "prometheus_client"}
OUTER = {"store", "adapters", "scheduler"}
COMPOSITION_ROOT = {"app.py", "cli.py"}


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported anywhere in the file (also inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_checker_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom a.b import c\ndef f():\n    import nio.api\n    from store import x\n"
                      "from . import sibling\n")
    assert roots(sample) == {"os", "a", "nio", "store"}


def test_modules_are_found():
    assert {"app.py", "router.py", "parser.py", "intents.py", "table.py"} <= {p.name for p in BOT}
    assert {"database.py", "programme_repository.py"} <= {p.name for p in STORE}


@pytest.mark.parametrize("path", BOT + STORE, ids=rel)
def test_no_chat_sdk_scheduler_or_http_library(path):
    assert not roots(path) & SDKS


@pytest.mark.parametrize("path", BOT, ids=rel)
def test_bot_does_not_use_the_database_driver(path):
    assert "aiosqlite" not in roots(path)


def _outer_rule_params():
    for path in BOT:
        if path.name in COMPOSITION_ROOT:
            continue
        yield pytest.param(path, id=rel(path))


@pytest.mark.parametrize("path", list(_outer_rule_params()))
def test_only_the_composition_root_imports_store_adapters_scheduler(path):
    assert not roots(path) & OUTER, sorted(m for m in imported_modules(path) if m.split(".")[0] in OUTER)


def test_store_does_not_import_adapters_or_scheduler():
    for path in STORE:
        assert not roots(path) & {"adapters", "scheduler"}, rel(path)
