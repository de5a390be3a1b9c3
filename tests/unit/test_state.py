"""ProgrammeState: the snapshot is rebuilt only when the store changed (fakes, no database)."""
from __future__ import annotations

from bot.programme_file import load_programme_file
from bot.state import ProgrammeState
from fakes import FakeProgrammeStore


async def test_snapshot_is_reused_until_the_data_version_changes():
    store = FakeProgrammeStore(load_programme_file(None))
    state = ProgrammeState(store)
    first, understanding = await state.current()
    again, _ = await state.current()
    assert again is first and store.loads == 1
    assert understanding.parse("Wer leitet die AG Finanzen?").groups == ("finanzen",)

    renamed = tuple(g.model_copy(update={"aliases": g.aliases + ("Geld",)}) if g.key == "finanzen" else g
                    for g in store.programme.groups)
    store.programme = store.programme.model_copy(update={"groups": renamed})
    stale, _ = await state.current()
    assert stale is first  # nobody said anything changed

    store.bump()  # another process committed
    fresh, understanding = await state.current()
    assert fresh is not first and store.loads == 2
    assert understanding.parse("Wer leitet die AG Geld?").groups == ("finanzen",)


async def test_invalidate_forces_a_reload():
    store = FakeProgrammeStore(load_programme_file(None))
    state = ProgrammeState(store)
    await state.current()
    state.invalidate()
    await state.current()
    assert store.loads == 2
