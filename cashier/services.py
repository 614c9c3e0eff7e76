"""Cashier writes: take a payment, waive a fee, void a payment (seed 003 step 7, seed 004 "KASIR").

Each is one short transaction. Lock order: the booking row (FOR NO KEY UPDATE: two cashiers or a
double click on the same visit wait for each other here, before any number is taken), then the
receipt counter row last (the hot row, cashier/counters.py). The partial unique constraint
`cashier_payment_one_active_per_booking` is the backstop behind "paid once".
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cashier import counters, selectors
from cashier.models import NON_CASH_METHODS, Payment, PaymentMethod
from queueing.models import Booking

# Kept in step with migration 0003_cashier_groups (which freezes its own copy).
CASHIER_GROUP = "Kasir"
SUPERVISOR_GROUP = "Supervisor Kasir"
GROUP_PERMISSIONS = {
    CASHIER_GROUP: (
        ("cashier", "view_payment"),
        ("cashier", "add_payment"),
        ("cashier", "view_tariff"),
        ("cashier", "view_servicearea"),
    ),
    SUPERVISOR_GROUP: (
        ("cashier", "view_payment"),
        ("cashier", "add_payment"),
        ("cashier", "void_payment"),
        ("cashier", "view_tariff"),
        ("cashier", "add_tariff"),
        ("cashier", "change_tariff"),
        ("cashier", "view_servicearea"),
        ("cashier", "add_servicearea"),
        ("cashier", "change_servicearea"),
        ("cashier", "delete_servicearea"),
        ("cashier", "view_receiptcounter"),
    ),
}


def cashier_group_ensure(name: str = CASHIER_GROUP) -> Group:
    """The cashier (or supervisor) group with exactly its permissions (after a flush, for the demo data)."""
    group, _created = Group.objects.get_or_create(name=name)
    query = Q()
    for app_label, codename in GROUP_PERMISSIONS[name]:
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(query))
    return group


def _check_payable(booking: Booking, quote: selectors.Quote, expected_amount: int) -> None:
    if booking.status not in selectors.PAYABLE_STATUSES:
        raise ValidationError(
            _("This visit cannot be paid: it is %(status)s.") % {"status": booking.get_status_display()},
            code="not_payable",
        )
    if booking.date > booking.clinic.facility.local_today():
        raise ValidationError(_("This visit is on a later day: take the payment on the day."), code="future_visit")
    if not quote.payable:
        raise ValidationError(_("Nothing to pay for this visit."), code="nothing_to_pay")
    if quote.amount != expected_amount:
        # The tariff changed between showing the page and the click: show the new amount first.
        raise ValidationError(
            _("The tariff has changed to Rp %(amount)s: check the amount with the patient.")
            % {"amount": f"{quote.amount:,}".replace(",", ".")},
            code="amount_changed",
        )


def _record(
    *, booking: Booking, cashier, quote: selectors.Quote, method: str, reference: str, waive_reason: str, now
) -> Payment:
    facility = booking.clinic.facility
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = (
                Booking.objects.select_for_update(no_key=True).filter(pk=booking.pk).values_list("status", flat=True)
            )
            if not locked or locked[0] not in selectors.PAYABLE_STATUSES:
                raise ValidationError(_("This visit can no longer be paid."), code="not_payable")
            if Payment.objects.active().filter(booking=booking).exists():
                raise ValidationError(_("This visit is already paid."), code="already_paid")
            year = counters.receipt_year(facility, now)
            return Payment.objects.create(
                facility=facility,
                booking=booking,
                receipt_year=year,
                receipt_number=counters.take_receipt_number(facility.pk, year),  # the hot row, last
                tariff=quote.tariff,
                description=quote.tariff.name,
                visit=quote.visit,
                condition=quote.condition,
                amount=quote.amount,
                method=method,
                reference=reference,
                waive_reason=waive_reason,
                cashier=cashier,
                created_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This visit is already paid."), code="already_paid") from exc


def payment_take(
    *,
    booking: Booking,
    cashier,
    method: str,
    reference: str = "",
    no_identity: bool = False,
    expected_amount: int,
    now: dt.datetime | None = None,
) -> Payment:
    """Take the visit's fee in cash or by a non-cash method (QRIS, debit, transfer) with its reference."""
    if method not in PaymentMethod.values or method == PaymentMethod.WAIVED:
        raise ValidationError(_("Choose how the patient pays."), code="invalid_method")
    reference = (reference or "").strip()
    if method in NON_CASH_METHODS and not reference:
        raise ValidationError(_("Enter the reference number of the non-cash payment."), code="reference_required")
    if method == PaymentMethod.CASH:
        reference = ""
    quote = selectors.quote_for(booking, no_identity=no_identity)
    _check_payable(booking, quote, expected_amount)
    return _record(
        booking=booking, cashier=cashier, quote=quote, method=method, reference=reference, waive_reason="", now=now
    )


def payment_waive(
    *,
    booking: Booking,
    cashier,
    reason: str,
    no_identity: bool = False,
    expected_amount: int,
    now: dt.datetime | None = None,
) -> Payment:
    """Waive the visit's fee with a reason (it still gets a receipt number: the patient shows it at the clinic)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for waiving the fee."), code="waive_reason_required")
    quote = selectors.quote_for(booking, no_identity=no_identity)
    _check_payable(booking, quote, expected_amount)
    return _record(
        booking=booking,
        cashier=cashier,
        quote=quote,
        method=PaymentMethod.WAIVED,
        reference="",
        waive_reason=reason,
        now=now,
    )


def payment_void(*, payment: Payment, actor, reason: str, now: dt.datetime | None = None) -> Payment:
    """Void a payment with a reason; only a cashier supervisor of its facility with the void permission.

    The row and its receipt number stay (the receipt book keeps no gaps); the visit may be paid again.
    """
    if not selectors.may_void(actor, payment):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for voiding."), code="void_reason_required")
    now = now or timezone.now()
    with transaction.atomic():
        done = Payment.objects.filter(pk=payment.pk, voided_at__isnull=True).update(
            voided_at=now, voided_by=actor, void_reason=reason
        )
    if not done:
        raise ValidationError(_("This payment is already voided."), code="already_voided")
    payment.refresh_from_db()
    return payment
