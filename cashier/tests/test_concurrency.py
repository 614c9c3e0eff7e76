"""Receipt numbers under real concurrency on PostgreSQL: gapless, unique per facility and year.

Real threads with their own connections; a barrier lets them reach the counter together.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cashier import services
from cashier.models import Payment, ReceiptCounter
from cashier.tests.conftest import make_staff, make_visit
from guarantors.models import GuarantorKind

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

THREADS = 8


def run_together(jobs) -> list:
    """Run each job in its own thread and connection, released at once; results (or exceptions) in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index: int, job) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 (the test inspects what each thread met)
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_cashiers_paying_at_once_get_consecutive_receipt_numbers(
    rsud, puskesmas, rsud_tariffs, puskesmas_tariffs, guarantors
):
    umum = guarantors[GuarantorKind.SELF_PAY]
    rsud_cashiers = [make_staff(f"k{i}@rsud.example", rsud) for i in range(THREADS)]
    p_cashiers = [make_staff(f"k{i}@pkm.example", puskesmas) for i in range(THREADS // 2)]
    rsud_visits = [make_visit(rsud, guarantor=umum) for _i in range(THREADS)]
    p_visits = [make_visit(puskesmas, guarantor=umum) for _i in range(THREADS // 2)]  # outside the area: Rp 15.000

    def payer(booking, cashier, amount):
        return lambda: services.payment_take(booking=booking, cashier=cashier, method="cash", expected_amount=amount)

    jobs = [payer(b, c, 50_000) for b, c in zip(rsud_visits, rsud_cashiers, strict=True)]
    jobs += [payer(b, c, 15_000) for b, c in zip(p_visits, p_cashiers, strict=True)]
    results = run_together(jobs)

    assert all(isinstance(r, Payment) for r in results), results
    year = rsud.local_today().year
    rsud_numbers = sorted(
        Payment.objects.filter(facility=rsud, receipt_year=year).values_list("receipt_number", flat=True)
    )
    p_year = puskesmas.local_today().year
    p_numbers = sorted(
        Payment.objects.filter(facility=puskesmas, receipt_year=p_year).values_list("receipt_number", flat=True)
    )
    assert rsud_numbers == list(range(1, THREADS + 1))
    assert p_numbers == list(range(1, THREADS // 2 + 1))
    assert ReceiptCounter.objects.get(facility=rsud, year=year).last_number == THREADS


def test_a_double_click_on_one_visit_records_one_payment_and_burns_no_number(rsud, rsud_tariffs, guarantors):
    umum = guarantors[GuarantorKind.SELF_PAY]
    cashier = make_staff("k@rsud.example", rsud)
    visit = make_visit(rsud, guarantor=umum)

    def job():
        return services.payment_take(booking=visit, cashier=cashier, method="cash", expected_amount=50_000)

    results = run_together([job] * THREADS)

    paid = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(paid) == 1 and len(refused) == THREADS - 1, results
    assert {e.code for e in refused} == {"already_paid"}
    assert paid[0].receipt_number == 1
    # The next visit takes 2: the refused clicks left no gap.
    other = services.payment_take(
        booking=make_visit(rsud, guarantor=umum), cashier=cashier, method="cash", expected_amount=50_000
    )
    assert other.receipt_number == 2


def test_a_payment_rolled_back_gives_its_number_back(rsud, rsud_tariffs, guarantors):
    """A failure after the number was taken (here: the insert breaks) leaves no gap in the book."""
    umum = guarantors[GuarantorKind.SELF_PAY]
    cashier = make_staff("k@rsud.example", rsud)
    from django.db import transaction

    from cashier import counters

    with pytest.raises(RuntimeError), transaction.atomic():
        counters.take_receipt_number(rsud.pk, 2031)
        raise RuntimeError("printer on fire")
    assert not ReceiptCounter.objects.filter(year=2031).exists()
    payment = services.payment_take(
        booking=make_visit(rsud, guarantor=umum), cashier=cashier, method="cash", expected_amount=50_000
    )
    assert payment.receipt_number == 1


def test_the_counter_refuses_to_run_outside_a_transaction(rsud):
    from cashier import counters

    with pytest.raises(RuntimeError):
        counters.take_receipt_number(rsud.pk, 2030)
