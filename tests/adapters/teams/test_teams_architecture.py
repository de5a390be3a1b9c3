"""Where the Bot Framework SDK may appear: in adapters/teams/adapter.py and sdk.py only.

The core, the scheduler, the store and the other adapters never import botbuilder, botframework or
msrest; in the Teams package the pure modules (convert, manifest) do not either, so a move to the
Microsoft 365 Agents SDK changes those two modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SDK = {"botbuilder", "botframework", "msrest", "msal", "microsoft_agents"}
SDK_HOME = {ROOT / "adapters" / "teams" / "adapter.py", ROOT / "adapters" / "teams" / "sdk.py"}
CHECKED = sorted(p for folder in ("bot", "scheduler", "store", "adapters") for p in (ROOT / folder).rglob("*.py")
                 if p not in SDK_HOME)


def imported_roots(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_sdk_lives_in_the_teams_adapter():
    assert {"botbuilder", "botframework"} <= set().union(*(imported_roots(p) for p in SDK_HOME))
    assert ROOT / "adapters" / "teams" / "convert.py" in CHECKED


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sdk_import_elsewhere(path):
    assert not imported_roots(path) & SDK
