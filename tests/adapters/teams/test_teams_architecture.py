"""Where the Bot Framework SDKs may appear: each in its own backend module of the Teams adapter.

The Microsoft 365 Agents SDK (``microsoft_agents``) only in adapters/teams/backend_agents.py,
botbuilder (``botbuilder``, ``botframework``, ``msrest``) only in backend_botbuilder.py. The core, the
scheduler, the store, the other adapters and the shared Teams modules (adapter, convert, lanes,
manifest) import neither, so both backends share all behaviour.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SDK = {"botbuilder", "botframework", "msrest", "msal", "microsoft_agents"}
AGENTS_HOME = ROOT / "adapters" / "teams" / "backend_agents.py"
BOTBUILDER_HOME = ROOT / "adapters" / "teams" / "backend_botbuilder.py"
SDK_HOME = {AGENTS_HOME, BOTBUILDER_HOME}
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


def test_each_sdk_lives_in_its_backend():
    assert "microsoft_agents" in imported_roots(AGENTS_HOME)
    assert not imported_roots(AGENTS_HOME) & {"botbuilder", "botframework", "msrest"}
    assert {"botbuilder", "botframework"} <= imported_roots(BOTBUILDER_HOME)
    assert "microsoft_agents" not in imported_roots(BOTBUILDER_HOME)
    assert ROOT / "adapters" / "teams" / "adapter.py" in CHECKED


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sdk_import_elsewhere(path):
    assert not imported_roots(path) & SDK
