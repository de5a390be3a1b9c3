"""Per-conversation lanes (adapters.teams.lanes): order within a conversation, none across them."""
from __future__ import annotations

import asyncio

import pytest

from adapters.teams.lanes import LaneFull, Lanes


async def test_sends_in_one_lane_keep_their_order_and_other_lanes_do_not_wait():
    lanes = Lanes()
    order: list[str] = []
    blocker = asyncio.Event()

    async def send(key: str, name: str, wait: asyncio.Event | None = None) -> None:
        async with ticket[name]:
            if wait is not None:
                await wait.wait()
            order.append(name)

    ticket = {name: lanes.reserve(key) for key, name in [("a", "a1"), ("a", "a2"), ("b", "b1"), ("a", "a3")]}
    tasks = [asyncio.create_task(send("a", "a3")), asyncio.create_task(send("a", "a2")),
             asyncio.create_task(send("a", "a1", blocker)), asyncio.create_task(send("b", "b1"))]
    await asyncio.wait_for(tasks[3], 1)  # b is not held up by a's first send
    assert order == ["b1"] and lanes.waiting("a") == 3
    blocker.set()
    await asyncio.gather(*tasks)
    assert order == ["b1", "a1", "a2", "a3"]
    assert lanes.waiting("a") == 0 and not lanes._tails  # idle lanes take no memory


async def test_a_full_lane_refuses_and_a_cancelled_place_lets_the_next_go():
    lanes = Lanes(limit=2)
    first, second = lanes.reserve("a"), lanes.reserve("a")
    with pytest.raises(LaneFull):
        lanes.reserve("a")
    second.cancel()  # never entered: the one after it goes once the first is done
    third = lanes.reserve("a") if lanes.waiting("a") < 2 else None
    assert third is None  # the cancelled place counts until the one before it finished
    async with first:
        pass
    await asyncio.sleep(0)  # a future's done callbacks run on the loop's next pass
    assert lanes.waiting("a") == 0
    async with lanes.reserve("a"):
        assert lanes.waiting("a") == 1
