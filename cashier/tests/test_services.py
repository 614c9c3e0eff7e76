"""Taking, waiving and voiding payments; receipt numbers; payments that cannot be deleted or changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from cashier import services
from cashier.models import Payment, PaymentMethod, ReceiptCounter
from cashier.tests.conftest import make_staff, make_visit
from facilities.models import FacilityRole
from guarantors.models import GuarantorKind
from queueing.models import BookingStatus

pytestmark = pytest.mark.django_db

UMUM = GuarantorKind.SELF_PAY


@pytest.fixture
def visit(rsud, rsud_tariffs, guarantors):
    return make_visit(rsud, guarantor=guarantors[UMUM])


def pay(booking, cashier, **kwargs):
    kwargs.setdefault("method", PaymentMethod.CASH)
    kwargs.setdefault("expected_amount", 50_000)
    return services.payment_take(booking=booking, cashier=cashier, **kwargs)


def test_cash_payment_records_the_tariff_and_receipt_number_one(visit, cashier, rsud):
    payment = pay(visit, cashier)
    assert (payment.receipt_number, payment.receipt_year) == (1, rsud.local_today().year)
    assert (payment.amount, payment.method, payment.visit, payment.reference) == (50_000, "cash", "new", "")
    assert payment.description == "Konsultasi dokter" and payment.cashier == cashier


def test_receipt_numbers_follow_each_other_per_facility(rsud, puskesmas, rsud_tariffs, puskesmas_tariffs, guarantors):
    kasir, made = make_staff("a@x.example", rsud), make_staff("b@x.example", puskesmas)
    numbers = [pay(make_visit(rsud, guarantor=guarantors[UMUM]), kasir).receipt_number for _i in range(3)]
    outsider = make_visit(puskesmas, guarantor=guarantors[UMUM])  # Banyumas address: outside the area
    other = services.payment_take(
        booking=outsider, cashier=made, method=PaymentMethod.CASH, expected_amount=15_000
    ).receipt_number
    assert numbers == [1, 2, 3] and other == 1


def test_non_cash_payment_needs_its_reference(visit, cashier):
    with pytest.raises(ValidationError) as info:
        pay(visit, cashier, method=PaymentMethod.QRIS, reference="  ")
    assert info.value.code == "reference_required"
    payment = pay(visit, cashier, method=PaymentMethod.QRIS, reference="QR-20261201-0042")
    assert payment.reference == "QR-20261201-0042"


def test_a_visit_is_paid_once(visit, cashier):
    pay(visit, cashier)
    with pytest.raises(ValidationError) as info:
        pay(visit, cashier)
    assert info.value.code == "already_paid"
    assert ReceiptCounter.objects.get().last_number == 1  # the refused payment took no number


def test_a_changed_tariff_is_shown_before_money_is_taken(visit, cashier, rsud_tariffs):
    with pytest.raises(ValidationError) as info:
        pay(visit, cashier, expected_amount=45_000)
    assert info.value.code == "amount_changed" and not Payment.objects.exists()


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.REQUESTED])
def test_a_visit_that_did_not_happen_cannot_be_paid(rsud, rsud_tariffs, guarantors, cashier, status):
    with pytest.raises(ValidationError) as info:
        pay(make_visit(rsud, guarantor=guarantors[UMUM], status=status), cashier)
    assert info.value.code == "not_payable"


def test_a_visit_on_a_later_day_is_not_paid_yet(rsud, rsud_tariffs, guarantors, cashier):
    later = make_visit(rsud, guarantor=guarantors[UMUM], date=rsud.local_today() + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as info:
        pay(later, cashier)
    assert info.value.code == "future_visit"


def test_nothing_to_pay_for_bpjs_kesehatan(rsud, rsud_tariffs, guarantors, cashier):
    with pytest.raises(ValidationError) as info:
        pay(make_visit(rsud, guarantor=guarantors[GuarantorKind.BPJS_KESEHATAN]), cashier, expected_amount=0)
    assert info.value.code == "nothing_to_pay"


def test_waiving_needs_a_reason_and_takes_a_receipt_number(visit, cashier):
    with pytest.raises(ValidationError) as info:
        services.payment_waive(booking=visit, cashier=cashier, reason=" ", expected_amount=50_000)
    assert info.value.code == "waive_reason_required"
    waiver = services.payment_waive(booking=visit, cashier=cashier, reason="Pasien terlantar", expected_amount=50_000)
    assert (waiver.method, waiver.receipt_number, waiver.amount_received) == (PaymentMethod.WAIVED, 1, 0)


# --- void ---------------------------------------------------------------------------------------


def test_a_supervisor_voids_with_a_reason_and_the_visit_can_be_paid_again(visit, cashier, supervisor):
    first = pay(visit, cashier)
    with pytest.raises(ValidationError) as info:
        services.payment_void(payment=first, actor=supervisor, reason="")
    assert info.value.code == "void_reason_required"
    services.payment_void(payment=first, actor=supervisor, reason="Salah pasien")
    first.refresh_from_db()
    assert first.voided_by == supervisor and first.void_reason == "Salah pasien" and first.receipt_number == 1
    second = pay(visit, cashier)
    assert second.receipt_number == 2  # the voided receipt keeps its number: no gap, no reuse
    with pytest.raises(ValidationError) as info:
        services.payment_void(payment=first, actor=supervisor, reason="again")
    assert info.value.code == "already_voided"


def test_a_cashier_without_the_permission_cannot_void(visit, cashier):
    payment = pay(visit, cashier)
    with pytest.raises(PermissionDenied):
        services.payment_void(payment=payment, actor=cashier, reason="Salah")
    assert not Payment.objects.get(pk=payment.pk).is_voided


def test_a_supervisor_of_another_facility_cannot_void(visit, cashier, puskesmas):
    payment = pay(visit, cashier)
    elsewhere = make_staff(
        "sup@puskesmas.example", puskesmas, role=FacilityRole.CASHIER_SUPERVISOR, group=services.SUPERVISOR_GROUP
    )
    with pytest.raises(PermissionDenied):
        services.payment_void(payment=payment, actor=elsewhere, reason="Salah")


def test_a_supervisor_membership_without_the_group_permission_cannot_void(visit, cashier, rsud):
    payment = pay(visit, cashier)
    member_only = make_staff("m@rsud.example", rsud, role=FacilityRole.CASHIER_SUPERVISOR)  # "Kasir" group
    with pytest.raises(PermissionDenied):
        services.payment_void(payment=payment, actor=member_only, reason="Salah")


# --- never deleted, never changed ------------------------------------------------------------------


def test_a_payment_cannot_be_deleted_through_the_orm(visit, cashier):
    payment = pay(visit, cashier)
    with pytest.raises(ValidationError):
        payment.delete()
    with pytest.raises(ValidationError):
        Payment.objects.all().delete()
    assert Payment.objects.count() == 1


def test_the_database_refuses_to_delete_a_payment(visit, cashier):
    pay(visit, cashier)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cashier_payment")
    assert Payment.objects.count() == 1


def test_the_database_refuses_to_change_the_amount_or_number(visit, cashier):
    payment = pay(visit, cashier)
    for sql in (
        "UPDATE cashier_payment SET amount = 1",
        "UPDATE cashier_payment SET receipt_number = 99",
        "UPDATE cashier_payment SET method = 'waived', waive_reason = 'x'",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Payment.objects.get(pk=payment.pk).amount == 50_000


def test_the_database_refuses_to_change_a_voided_payment(visit, cashier, supervisor):
    payment = services.payment_void(payment=pay(visit, cashier), actor=supervisor, reason="Salah")
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(voided_at=None, voided_by=None, void_reason="")
    assert Payment.objects.get(pk=payment.pk).is_voided


def _copy(payment: Payment, **changes) -> dict:
    return {f.attname: getattr(payment, f.attname) for f in Payment._meta.fields if f.name != "id"} | changes


def test_the_database_refuses_a_second_active_payment_for_a_visit(visit, cashier):
    payment = pay(visit, cashier)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(**_copy(payment, receipt_number=2))


def test_the_database_refuses_a_non_cash_payment_without_reference(visit, cashier, supervisor):
    payment = services.payment_void(payment=pay(visit, cashier), actor=supervisor, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            **_copy(
                payment, receipt_number=2, method=PaymentMethod.QRIS, voided_at=None, voided_by_id=None, void_reason=""
            )
        )


def test_the_database_refuses_a_waiver_without_reason(visit, cashier, supervisor):
    payment = services.payment_void(payment=pay(visit, cashier), actor=supervisor, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            **_copy(
                payment,
                receipt_number=2,
                method=PaymentMethod.WAIVED,
                voided_at=None,
                voided_by_id=None,
                void_reason="",
            )
        )


# --- the year ---------------------------------------------------------------------------------------


def test_receipt_numbers_restart_each_year_on_the_facilitys_clock(
    puskesmas, rsud, guarantors, puskesmas_tariffs, rsud_tariffs
):
    """16:30 UTC on 31 December is already 1 January 00:30 in WITA, still 23:30 on 31 December in WIB."""
    year = rsud.local_today().year
    instant_before = dt.datetime(year - 1, 12, 31, 16, 0, tzinfo=dt.UTC)  # 00:00 WITA on 1 Jan, 23:00 WIB
    made = make_staff("made@p.example", puskesmas)
    kasir = make_staff("rina@r.example", rsud)
    # Visits dated in the past are payable (paid late); the receipt year follows the payment's instant.
    day = dt.date(year - 1, 12, 31)
    outsider_a = make_visit(puskesmas, guarantor=guarantors[UMUM], date=day)
    outsider_b = make_visit(puskesmas, guarantor=guarantors[UMUM], date=day)
    wib = make_visit(rsud, guarantor=guarantors[UMUM], date=day)
    late_dec = instant_before - dt.timedelta(minutes=30)  # 23:30 WITA on 31 Dec
    a = services.payment_take(booking=outsider_a, cashier=made, method="cash", expected_amount=15_000, now=late_dec)
    b = services.payment_take(
        booking=outsider_b,
        cashier=made,
        method="cash",
        expected_amount=15_000,
        now=instant_before + dt.timedelta(minutes=30),
    )
    c = services.payment_take(
        booking=wib, cashier=kasir, method="cash", expected_amount=50_000, now=instant_before + dt.timedelta(minutes=30)
    )
    assert (a.receipt_year, a.receipt_number) == (year - 1, 1)
    assert (b.receipt_year, b.receipt_number) == (year, 1)  # new year in WITA: numbering restarts
    assert (c.receipt_year, c.receipt_number) == (year - 1, 1)  # still the old year in WIB
