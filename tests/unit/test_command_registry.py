"""The command registry: every spec has a handler and every handler a spec; ``!hilfe`` and the
Teams command menus come from it; the package has no import circle and the registry imports no
feature module."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import bot.commands
from adapters.teams.manifest import build_manifest
from bot.commands import BY_NAME, Turn, command, specs
from bot.messages import Reply
from fakes import ADMIN, ask

PACKAGE = Path(bot.commands.__file__).parent
FEATURES = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if m.name not in {"registry", "args", "work", "work_answers"})
APOLOGY = ("Fehler aufgetreten", "something went wrong")


def handler_like(function) -> bool:
    """An ``async def f(turn: Turn, args: str) -> Reply``: the shape of a command handler."""
    if not inspect.iscoroutinefunction(function):
        return False
    signature = inspect.signature(function)
    return list(signature.parameters) == ["turn", "args"] and signature.return_annotation in ("Reply", Reply)


def test_every_spec_has_a_handler_in_a_feature_module():
    for spec in specs():
        assert handler_like(spec.handler), spec.name
        assert spec.handler.__module__.rsplit(".", 1)[-1] in FEATURES, spec.name


@pytest.mark.parametrize("feature", FEATURES)
def test_every_handler_has_a_spec(feature):
    module = importlib.import_module(f"bot.commands.{feature}")
    declared = {spec.handler for spec in specs()}
    handlers = [f for name, f in vars(module).items()
                if inspect.isfunction(f) and f.__module__ == module.__name__ and handler_like(f)]
    assert handlers, f"{feature} declares no command"
    missing = [f.__name__ for f in handlers if f not in declared]
    assert not missing, f"handlers without @command in {feature}: {missing}"


def test_names_and_aliases_are_unique_and_a_second_declaration_is_refused():
    words = [w for spec in specs() for w in (spec.name, spec.alias)]
    assert len(words) == len(set(words)) == len(BY_NAME)

    async def handler(turn: Turn, args: str):
        raise AssertionError("never runs")

    with pytest.raises(ValueError, match="hilfe"):
        command("hilfe", "help-again", help="x", help_en="x", example="!hilfe")(handler)
    assert len(BY_NAME) == len(words)


def test_specs_say_who_may_run_them_and_give_an_example_of_themselves():
    for spec in specs():
        assert spec.who and set(spec.who) <= {"all", "coordination", "admins", "room moderators"}, spec.name
        assert spec.example.startswith(f"!{spec.name}"), spec.name
        assert spec.help and spec.help_en, spec.name


async def test_every_command_and_alias_answers_without_the_apology(app):
    """A spec whose handler is missing or broken would answer with the generic apology."""
    for spec in specs():
        for word in (spec.name, spec.alias):
            reply = await ask(app, f"!{word}", user=ADMIN)
            assert not any(a in reply.text for a in APOLOGY), (word, reply.text)


async def test_help_lists_every_command_and_explains_each(app):
    listing = await ask(app, "!hilfe")
    english = await ask(app, "!help")
    for spec in specs():
        assert any(item.startswith(f"!{spec.name}") and spec.help in item for item in listing.items), spec.name
        assert any(item.startswith(f"!{spec.alias}") and spec.help_en in item for item in english.items), spec.alias
        one = await ask(app, f"!hilfe {spec.name}")
        assert spec.usage("de") in one.text and spec.example in one.text


def test_teams_command_menus_come_from_the_registry():
    lists = build_manifest("00000000-0000-0000-0000-000000000001")["bots"][0]["commandLists"]
    by_scope = {entry["scopes"][0]: [c["title"] for c in entry["commands"]] for entry in lists}
    for scope in ("personal", "team"):
        assert by_scope[scope] == [s.name for s in specs() if scope in s.menu]
        assert 1 <= len(by_scope[scope]) <= 10  # Teams' schema limit per scope


def imports_of(path: Path) -> tuple[set[str], list[str]]:
    """Modules of ``bot.commands`` that ``path`` imports, and imports placed inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, nested = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.update(n.removeprefix("bot.commands.") for n in names if n.startswith("bot.commands."))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested += [f"{path.name}:{inner.lineno}" for inner in ast.walk(node)
                       if isinstance(inner, (ast.Import, ast.ImportFrom))]
    return found & ({"registry", "args"} | set(FEATURES)), nested


def test_no_import_circle_and_no_imports_hidden_in_functions():
    graph = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "__init__.py":
            continue
        graph[path.stem], nested = imports_of(path)
        assert not nested, f"imports inside functions: {nested}"
    assert graph["registry"] == set(), "the registry imports no feature module"

    def reaches(start: str, seen: set[str]) -> set[str]:
        for nxt in graph.get(start, set()) - seen:
            seen.add(nxt)
            reaches(nxt, seen)
        return seen

    for module in graph:
        assert module not in reaches(module, set()), f"import circle through {module}"


def test_command_modules_stay_small():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 350, path.name


def test_the_package_imports_every_feature_module():
    """A feature module that bot/commands/__init__.py forgets to import registers nothing in the
    running bot (the other tests import every module themselves, so they would not notice)."""
    import ast
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "bot.commands" for alias in node.names}
    assert set(FEATURES) <= imported, set(FEATURES) - imported


def test_a_name_equal_to_its_alias_is_refused():
    import pytest

    from bot.commands.registry import command

    with pytest.raises(ValueError):
        @command("pingtest", "pingtest", help="x", help_en="x", example="!pingtest")
        async def ping(turn, args):  # pragma: no cover - never registered
            raise AssertionError
