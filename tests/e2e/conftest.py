"""Fixtures for end-to-end tests against a real Synapse homeserver.

``synapse``               one homeserver for the whole test session (started
                          lazily, on first use; ~1-2 s).  Generous rate limits.
``synapse_low_ratelimit`` a SECOND homeserver instance (also session-scoped,
                          lazily started) whose ``rc_message`` is low
                          (per_second=0.5, burst_count=3) for rate-limit tests.
                          Cheaper alternative on the shared server:
                          ``synapse.override_ratelimit(user_id, 0.5, 3)``.

If Synapse is not installed the fixtures SKIP -- unless the environment
variable ``CI`` is set (to anything but "", "0", "false", "no"), in which case
they FAIL, so CI cannot go green without actually running these tests.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

try:  # rootdir-relative import ("prepend" import mode, no tests/__init__.py)
    from synapse_server import SynapseServer, in_ci
except ImportError:  # pragma: no cover - when tests/ becomes a package
    from tests.e2e.synapse_server import SynapseServer, in_ci

LOW_RC_MESSAGE = (0.5, 3)  # (per_second, burst_count) for synapse_low_ratelimit


def _synapse_installed() -> bool:
    # find_spec instead of a real ``import synapse``: importing it here would
    # drag Twisted/PIL into the test process (and set PIL globals) for nothing;
    # the server runs in its own subprocess anyway.  A broken-but-present
    # install is not skipped: it fails when the server does not start.
    try:
        return importlib.util.find_spec("synapse") is not None
    except (ImportError, ValueError):
        return False


def _require_synapse() -> None:
    if _synapse_installed():
        return
    msg = (
        "Synapse is not installed (`import synapse` fails). "
        "Install the test extras: pip install -e '.[test]'  "
        "(or: pip install 'matrix-synapse>=1.163')"
    )
    if in_ci():
        pytest.fail(f"CI is set, refusing to skip: {msg}", pytrace=False)
    pytest.skip(msg)


def _start(server: SynapseServer) -> SynapseServer:
    try:
        return server.start()
    except Exception as exc:  # show Synapse's log tail, never skip
        pytest.fail(f"could not start Synapse: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def synapse() -> Iterator[SynapseServer]:
    """A running Synapse (one per test session), see SynapseServer."""
    _require_synapse()
    server = _start(SynapseServer())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def synapse_low_ratelimit() -> Iterator[SynapseServer]:
    """A separate Synapse with rc_message = LOW_RC_MESSAGE."""
    _require_synapse()
    server = _start(SynapseServer(rc_message=LOW_RC_MESSAGE))
    try:
        yield server
    finally:
        server.stop()
