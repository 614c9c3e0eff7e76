"""The e-mail throttle's counter: exact under parallel requests, per window, per scope and key."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.utils import IntegrityError
from django.utils import timezone

from accounts import services
from accounts.models import RateLimitBucket


@pytest.mark.django_db
def test_a_limit_counts_each_scope_and_key_on_its_own():
    take = [services.rate_limit_take(scope="reset_email", identifier="a@example.com", limit=2) for _ in range(3)]

    assert take == [True, True, False]
    assert services.rate_limit_take(scope="reset_email", identifier="b@example.com", limit=2)
    assert services.rate_limit_take(scope="reset_ip", identifier="a@example.com", limit=2)


@pytest.mark.django_db
def test_a_new_window_starts_from_zero_and_old_windows_are_forgotten():
    services.rate_limit_take(scope="reset_email", identifier="a@example.com", limit=1)
    RateLimitBucket.objects.update(window_start=timezone.now() - dt.timedelta(days=2))

    assert services.rate_limit_take(scope="reset_email", identifier="a@example.com", limit=1)
    assert RateLimitBucket.objects.count() == 1  # the two-day-old window was deleted


@pytest.mark.django_db
def test_one_counter_per_scope_key_and_window_is_a_database_rule():
    start = timezone.now().replace(microsecond=0)
    RateLimitBucket.objects.create(scope="s", key="k", window_start=start)

    with pytest.raises(ValidationError) as excinfo:
        RateLimitBucket(scope="s", key="k", window_start=start).full_clean()
    assert [e.code for errors in excinfo.value.error_dict.values() for e in errors] == ["bucket_exists"]
    with pytest.raises(IntegrityError, match="accounts_ratelimitbucket_one_per_window|UNIQUE constraint failed"):
        RateLimitBucket.objects.create(scope="s", key="k", window_start=start)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
def test_parallel_requests_never_overrun_the_limit():
    barrier, results, lock = threading.Barrier(12), [], threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            allowed = services.rate_limit_take(scope="reset_email", identifier="sari@example.com", limit=3)
        finally:
            connections.close_all()
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 9 + [True] * 3
    assert RateLimitBucket.objects.get().hits == 3
