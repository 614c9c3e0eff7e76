"""Races on PostgreSQL: the lookup limit holds across parallel requests; one NIK, one patient."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from conftest import make_account
from families import services
from families.models import LookupFailure, Patient
from families.tests.conftest import patient_values

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_parallel(count: int, work) -> list[str]:
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcome = work(index)
        except ValidationError as exc:
            outcome = (
                exc.error_list[0].code
                if not hasattr(exc, "error_dict")
                else next(iter(exc.error_dict.values()))[0].code
            )
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_parallel_failed_lookups_never_exceed_the_limit():
    account = make_account("walker@example.com", "Pejalan Indeks")
    results = run_parallel(
        16, lambda i: services.patient_find_by_mrn(account=account, mrn=f"{i:08d}", birth_date=dt.date(2000, 1, 1))
    )
    assert sorted(results) == ["no_match"] * 10 + ["rate_limited"] * 6
    assert LookupFailure.objects.filter(account=account).count() == 10


def test_two_accounts_adding_the_same_nik_at_once_make_one_patient():
    accounts = [make_account(f"racer{i}@example.com", f"Racer {i}") for i in range(2)]
    values = patient_values()
    results = run_parallel(
        2, lambda i: services.member_add_new(account=accounts[i], relationship="child", **values).patient.nik
    )
    assert sorted(results, key=str) == sorted([values["nik"], "nik_exists"], key=str)
    assert Patient.objects.count() == 1
