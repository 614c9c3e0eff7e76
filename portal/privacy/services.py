"""UU 27/2022 data-subject rights of an account holder: a copy of the family's data, closing the account.

These span accounts, families and queueing, so they live above them all (portal imports every app).
Hospital records (patients, bookings and their history) are kept when an account closes: Permenkes
24/2022 art. 39 requires medical records for at least 25 years after the last visit.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from families import services as family_services
from families.models import AccessWhat, AccountPatient, LinkAction, LinkLog, LookupFailure, Patient
from queueing.models import CANCELLABLE_STATUSES, Booking

log = logging.getLogger(__name__)

ACCOUNT_FIELDS = (
    "email",
    "full_name",
    "phone",
    "religion",
    "sex",
    "education",
    "blood_type",
    "marital_status",
    "occupation",
    "consent_version",
    "consent_at",
    "date_joined",
    "email_confirmed_at",
)
# Internal columns that say nothing about the person (the blind indexes are keyed hashes).
_PATIENT_INTERNAL = {"id", "nik_index", "kk_index", "bpjs_index"}
BOOKING_FIELDS = (
    "code",
    "date",
    "label",
    "estimated_time",
    "status",
    "reject_reason",
    "card_number",
    "referral_number",
    "guarantor_verified",
    "channel",
    "created_at",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


IDENTITY_NUMBERS = ("nik", "kk_number", "bpjs_number")


def _masked(value: str) -> str:
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) > 8 else "*" * len(value)


def _patient_data(link: AccountPatient) -> dict[str, Any]:
    """The member's record as the account may read it: a link not yet verified (issue 10 §1) sees
    identity numbers masked, as on its pages."""
    patient = link.patient
    data = {
        f.name: _plain(getattr(patient, f.name))
        for f in Patient._meta.concrete_fields
        if f.name not in _PATIENT_INTERNAL
    }
    if not link.is_verified:
        data.update({name: _masked(data[name]) for name in IDENTITY_NUMBERS})
    return data


def _booking_data(booking: Booking) -> dict[str, Any]:
    data = {name: _plain(getattr(booking, name)) for name in BOOKING_FIELDS}
    data.update(
        patient=booking.patient.full_name,
        clinic=booking.clinic.name,
        doctor=booking.doctor.name,
        guarantor=booking.guarantor.name,
        history=[
            {"at": _plain(e.at), "from": e.from_status, "to": e.to_status, "reason": e.reason}
            for e in booking.events.all()
        ],
    )
    return data


def account_data_export(*, account: User) -> dict[str, Any]:
    """What the account holds: its profile, the members it is linked to, the bookings it made.

    Bookings of a shared patient made by another account are that account's, not this one's:
    they are left out, as are the other account holders themselves.
    """
    links = list(AccountPatient.objects.filter(account=account).select_related("patient").order_by("created_at"))
    bookings = (
        Booking.objects.filter(account=account)
        .select_related("patient", "clinic", "doctor", "guarantor")
        .prefetch_related("events")
        .order_by("date", "created_at")
    )
    for link in links:  # the holder was given these records: the audit trail says so
        family_services.access_log(account, link.patient, AccessWhat.PATIENT_RECORD, detail="data_export")
    return {
        "exported_at": timezone.now().isoformat(),
        "hospital": settings.HOSPITAL_NAME,
        "account": {name: _plain(getattr(account, name)) for name in ACCOUNT_FIELDS},
        "family": [
            {
                "relationship": link.relationship,
                "linked_at": _plain(link.created_at),
                "patient": _patient_data(link),
                "documents": [
                    {
                        "kind": d.kind,
                        "uploaded_at": _plain(d.uploaded_at),
                        "content_type": d.content_type,
                        "size": d.size,
                    }
                    for d in link.patient.documents.order_by("kind")
                ],
            }
            for link in links
        ],
        "bookings": [_booking_data(booking) for booking in bookings],
    }


def _anonymise(account: User) -> None:
    """Nothing personal stays on the row; it remains only because bookings point at it (PROTECT)."""
    account.email = f"closed-{account.pk}@closed.invalid"
    account.pending_email = ""
    account.email_confirmed_at = None
    for name in ("full_name", "phone", "religion", "sex", "education", "blood_type", "marital_status", "occupation"):
        setattr(account, name, "")
    account.is_active = False
    account.set_unusable_password()  # also ends every session: their auth hash no longer matches
    account.save()


def account_close(*, account: User, password: str) -> None:
    """Remove the account's family links and personal data; keep the hospital's records. Logged."""
    if not account.check_password(password):
        raise ValidationError(
            {"password": ValidationError(_("This is not your current password."), code="password_incorrect")}
        )
    if account.is_staff:
        raise ValidationError(_("Staff accounts are closed by an administrator."), code="staff_account")
    today = timezone.localdate()
    if Booking.objects.filter(account=account, date__gte=today, status__in=CANCELLABLE_STATUSES).exists():
        raise ValidationError(
            _("You still have an upcoming booking. Cancel it, or close the account after the visit."),
            code="upcoming_bookings",
        )
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        for link in AccountPatient.objects.select_for_update().filter(account=account).order_by("pk"):
            LinkLog.objects.create(
                account=account,
                patient_id=link.patient_id,
                patient_ref=link.patient_id,
                actor=account,
                action=LinkAction.REMOVED,
                relationship=link.relationship,
                note="account closed by its holder",
            )
            link.delete()
        LookupFailure.objects.filter(account=account).delete()
        _anonymise(account)
        LogEntry.objects.log_actions(
            user_id=account.pk,
            queryset=[account],
            action_flag=CHANGE,
            change_message="Account closed by its holder (UU 27/2022)",
            single_object=True,
        )
    log.info("account %s closed by its holder", account.pk)
