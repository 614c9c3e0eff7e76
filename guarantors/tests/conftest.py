"""A real BPJS simulator on loopback for the whole session, and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from guarantors import simulator
from guarantors.catalogue import ensure_types
from guarantors.models import GuarantorType

SLOW_SECONDS = 4.0
# BPJS_TIMEOUT is a total deadline for a call: on a loaded test machine an 18 ms call can stall
# past one second, so the tests give two (the slow cards take longer still).
TIMEOUT = 2.0


@pytest.fixture(scope="session")
def bpjs_sim() -> Iterator[simulator.SimulatorServer]:
    server = simulator.start_simulator(slow_seconds=SLOW_SECONDS)
    yield server
    server.stop()


@pytest.fixture
def bpjs(settings, bpjs_sim) -> simulator.SimulatorServer:
    """Settings aimed at the simulator, an empty cache and a fresh request log."""
    settings.BPJS_VCLAIM_URL = bpjs_sim.url
    settings.BPJS_CONS_ID = simulator.DEMO_CONS_ID
    settings.BPJS_SECRET = simulator.DEMO_SECRET
    settings.BPJS_USER_KEY = simulator.DEMO_USER_KEY
    settings.BPJS_TIMEOUT = TIMEOUT
    settings.BPJS_CACHE_SECONDS = 300
    cache.clear()
    bpjs_sim.reset_requests()
    yield bpjs_sim
    cache.clear()


@pytest.fixture
def guarantor_types(db) -> dict[str, GuarantorType]:
    """The SOP 004 types (from migration 0003; re-created if a transactional test flushed them)."""
    ensure_types(GuarantorType)
    return {g.code: g for g in GuarantorType.objects.all()}
