"""A slow or failing BPJS cannot take the site down (issue 10 section 2): a total deadline per
call, a circuit breaker shared through the cache, and a cap on threads waiting on BPJS.

Everything runs against the real simulator over loopback; the trickling cards send a valid
answer one byte at a time, so every single socket read is quick and only a total deadline ends
the wait. The breaker's clock is injected (no sleeps)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.core.cache import cache

from guarantors import bpjs, services, simulator
from guarantors.tests.conftest import TIMEOUT
from guarantors.tests.test_services import check

TODAY = date.today()
TRICKLE_INTERVAL = 0.01  # 921 bytes: a whole trickled answer takes about 9 s, over four deadlines


@pytest.fixture
def trickling(bpjs_sim, monkeypatch):
    monkeypatch.setattr(bpjs_sim, "trickle_interval", TRICKLE_INTERVAL)  # the simulator's own knob
    bpjs_sim.reset_requests()
    return bpjs_sim


def client_for(server, **kwargs) -> bpjs.VClaimClient:
    return bpjs.VClaimClient(
        base_url=server.url,
        cons_id=simulator.DEMO_CONS_ID,
        secret=simulator.DEMO_SECRET,
        user_key=simulator.DEMO_USER_KEY,
        timeout=TIMEOUT,
        **kwargs,
    )


def wait_for(condition, what: str, limit: float = 10.0) -> None:
    """Wait for another thread to get somewhere (bounded); not a timing assertion."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.01)


# --- the total deadline ------------------------------------------------------------------------


@pytest.mark.parametrize("card", [simulator.CARD_TRICKLE, simulator.CARD_TRICKLE_BODY], ids=["status-line", "body"])
def test_a_trickling_answer_raises_the_deadline_error_and_is_not_waited_for(trickling, card):
    started = time.monotonic()
    with pytest.raises(bpjs.BpjsDeadlineExceeded):
        client_for(trickling).participant_by_card(card, TODAY)
    elapsed = time.monotonic() - started

    wait_for(lambda: trickling.trickles, "the simulator to notice the client left")
    ((sent, total),) = trickling.trickles
    assert sent < total / 2  # the client hung up long before the end of the answer
    assert elapsed >= TIMEOUT * 0.9  # and not before its deadline


def test_the_trickled_answer_is_valid_when_it_has_time_to_arrive(trickling, monkeypatch):
    monkeypatch.setattr(trickling, "trickle_interval", 0.0)
    participant = client_for(trickling).participant_by_card(simulator.CARD_TRICKLE, TODAY)
    assert participant.name == "TONI LAMBAT"  # so above, only the deadline made it fail


def test_a_silent_server_also_raises_the_deadline_error(bpjs_sim):
    with pytest.raises(bpjs.BpjsDeadlineExceeded):
        client_for(bpjs_sim).participant_by_card(simulator.CARD_SLOW, TODAY)


def test_a_trickling_bpjs_gives_not_yet_verified(bpjs, trickling):
    result = check(card_number=simulator.CARD_TRICKLE, full_name="Toni Lambat", birth_date=date(1980, 1, 1))
    assert result.status == services.UNVERIFIED and result.field_errors == {}
    assert result.summary["failure"] == "BpjsDeadlineExceeded"


# --- the circuit breaker -----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock):
    cache.clear()
    yield bpjs.CircuitBreaker(cache, failures=5, window=60, cooloff=30, name="test", clock=clock)
    cache.clear()


def fail(client, times: int) -> None:
    for _ in range(times):
        with pytest.raises(bpjs.BpjsServerError):
            client.participant_by_card(simulator.CARD_SERVER_ERROR, TODAY)


def test_breaker_opens_after_five_failures_and_then_does_not_call_bpjs(bpjs_sim, breaker):
    client = client_for(bpjs_sim, breaker=breaker)
    bpjs_sim.reset_requests()
    fail(client, 5)
    assert len(bpjs_sim.request_paths) == 5

    with pytest.raises(bpjs.BpjsCircuitOpen):
        client.participant_by_card("0001234567890", TODAY)
    assert len(bpjs_sim.request_paths) == 5  # short-circuited: BPJS was not asked


def test_failures_spread_over_more_than_the_window_do_not_open_it(bpjs_sim, breaker, clock):
    client = client_for(bpjs_sim, breaker=breaker)
    fail(client, 4)
    clock.now += 61
    fail(client, 4)
    assert client.participant_by_card("0001234567890", TODAY).name == "BUDI SANTOSO"


def test_an_answer_resets_the_count(bpjs_sim, breaker):
    client = client_for(bpjs_sim, breaker=breaker)
    fail(client, 4)
    with pytest.raises(bpjs.BpjsNotFound):  # BPJS answered "no": it is up
        client.participant_by_card("0009999999999", TODAY)
    fail(client, 4)
    assert client.participant_by_card("0001234567890", TODAY).name == "BUDI SANTOSO"


def test_after_the_cooloff_one_trial_call_goes_through_and_closes_it(bpjs_sim, breaker, clock):
    client = client_for(bpjs_sim, breaker=breaker)
    fail(client, 5)
    clock.now += 29
    with pytest.raises(bpjs.BpjsCircuitOpen):
        client.participant_by_card("0001234567890", TODAY)
    clock.now += 1
    bpjs_sim.reset_requests()

    assert client.participant_by_card("0001234567890", TODAY).name == "BUDI SANTOSO"
    assert client.participant_by_card("0001234567891", TODAY).name == "SARI WULANDARI"
    assert len(bpjs_sim.request_paths) == 2  # closed again


def test_a_failed_trial_opens_it_for_another_cooloff(bpjs_sim, breaker, clock):
    client = client_for(bpjs_sim, breaker=breaker)
    fail(client, 5)
    clock.now += 30
    fail(client, 1)  # the half-open trial
    with pytest.raises(bpjs.BpjsCircuitOpen):
        client.participant_by_card("0001234567890", TODAY)
    clock.now += 30
    assert client.participant_by_card("0001234567890", TODAY).name == "BUDI SANTOSO"


def test_while_half_open_only_one_caller_tries(breaker, clock):
    for _ in range(5):
        breaker.record_failure()
    clock.now += 30
    breaker.before_call()  # the trial, still running
    with pytest.raises(bpjs.BpjsCircuitOpen):
        breaker.before_call()


def test_the_breaker_state_is_in_the_shared_cache(breaker, clock):
    """Another worker builds its own breaker object on the same cache and sees it open."""
    for _ in range(5):
        breaker.record_failure()
    other_worker = bpjs.CircuitBreaker(cache, failures=5, window=60, cooloff=30, name="test", clock=clock)
    with pytest.raises(bpjs.BpjsCircuitOpen):
        other_worker.before_call()


def test_an_open_breaker_books_not_yet_verified_without_asking_bpjs(bpjs, settings):
    settings.BPJS_BREAKER_FAILURES, settings.BPJS_BREAKER_WINDOW, settings.BPJS_BREAKER_COOLOFF = 5, 60, 30
    for _ in range(5):
        assert check(card_number=simulator.CARD_SERVER_ERROR).summary["failure"] == "BpjsServerError"
    assert len(bpjs.request_paths) == 5

    result = check()
    assert result.status == services.UNVERIFIED and result.summary["failure"] == "BpjsCircuitOpen"
    assert len(bpjs.request_paths) == 5


def test_a_broken_cache_leaves_the_breaker_closed(bpjs_sim, clock):
    class BrokenCache:
        def __getattr__(self, name):
            raise ConnectionError("redis is down")

    breaker = bpjs.CircuitBreaker(BrokenCache(), failures=1, window=60, cooloff=30, clock=clock)
    client = client_for(bpjs_sim, breaker=breaker)
    fail(client, 2)
    assert client.participant_by_card("0001234567890", TODAY).name == "BUDI SANTOSO"


# --- the cap on threads waiting for BPJS -----------------------------------------------------------


def test_the_cap_refuses_the_next_caller_at_once(bpjs_sim):
    cap = bpjs.ConcurrencyCap(2)
    client = client_for(bpjs_sim, cap=cap)
    bpjs_sim.reset_requests()
    errors: list[BaseException] = []

    def slow_call() -> None:
        try:
            client.participant_by_card(simulator.CARD_SLOW, TODAY)
        except bpjs.BpjsError as exc:
            errors.append(exc)

    waiting = [threading.Thread(target=slow_call) for _ in range(2)]
    for thread in waiting:
        thread.start()
    wait_for(lambda: len(bpjs_sim.request_paths) == 2, "two calls waiting on BPJS")

    with pytest.raises(bpjs.BpjsBusy):
        client.participant_by_card("0001234567890", TODAY)
    assert len(bpjs_sim.request_paths) == 2  # refused without asking

    for thread in waiting:
        thread.join()
    assert [type(e) for e in errors] == [bpjs.BpjsDeadlineExceeded] * 2
    assert client.participant_by_card("0001234567890", TODAY).name == "BUDI SANTOSO"  # slots given back


def test_a_full_cap_books_not_yet_verified(bpjs, settings):
    settings.BPJS_MAX_CONCURRENT = 1
    cap = services._cap()
    with cap.slot():  # another thread of this process is waiting on BPJS
        result = check()
    assert result.status == services.UNVERIFIED and result.summary["failure"] == "BpjsBusy"
    assert bpjs.request_paths == []
    assert check().is_verified
