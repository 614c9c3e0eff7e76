"""WS RS writes: Ambil, Batal, Check-in and Info Pasien Baru, each through the core the portal and the counter use.

Nothing here counts places, numbers bookings or changes a status itself: booking goes through
queueing.services.booking_place (the portal's booking_create core), cancelling through
queueing.services.booking_cancel, check-in through the desk's booking_check_in, new patients
through the families validators (forms.py) and the counter's patient_register. The bookings
belong to the facility's Mobile JKN account (an inactive account nobody signs in with), so
the one-account-per-booking rule and the event log's "who" stay whole.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from families import services as family_services
from families.models import Patient
from families.validators import nik_mismatch
from guarantors.models import GuarantorKind, GuarantorType
from queueing import selectors as queue_selectors
from queueing import services
from queueing.desk import services as desk_services
from queueing.jkn import selectors
from queueing.jkn.models import AntreanBridge
from queueing.models import Booking, BookingChannel, BookingSettings

ACCOUNT_DOMAIN = "mobile-jkn.invalid"  # RFC 2606: never delivered


class UnknownPatient(Exception):
    """Ambil Antrean for someone the hospital has no record of: answered 202, Mobile JKN then sends Info Pasien Baru."""


def bridge_account(bridge: AntreanBridge):
    """The facility's Mobile JKN account: books and acts for Mobile JKN, never signs in, never gets e-mail."""
    user_model = get_user_model()
    email = f"facility-{bridge.facility_id}@{ACCOUNT_DOMAIN}"
    try:
        return user_model.objects.get(email=email)
    except user_model.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            user = user_model(email=email, full_name=f"Mobile JKN · {bridge.facility.name}"[:150], is_active=False)
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # made by a parallel call
        return user_model.objects.get(email=email)


def _guarantor(card: str) -> GuarantorType:
    kind = GuarantorKind.BPJS_KESEHATAN if card else GuarantorKind.SELF_PAY
    found = next((g for g in queue_selectors.active_guarantors().values() if g.kind == kind), None)
    if found is None:
        raise ValidationError(_("This hospital does not take this kind of patient online."), code="guarantor")
    return found


def booking_take(*, bridge: AntreanBridge, data: dict, now: dt.datetime | None = None) -> Booking:
    """Ambil Antrean: Mobile JKN's share of the schedule's quota, the portal's booking rules and numbering.

    Raises UnknownPatient (202) or ValidationError (201, with the reason).
    """
    facility = bridge.facility
    schedule = selectors.schedule_for(
        facility,
        kodepoli=data["kodepoli"],
        kodedokter=data["kodedokter"],
        date=data["tanggalperiksa"],
        hours=data["jampraktek"],
    )
    cfg = BookingSettings.current(facility.pk)
    services.check_date_bookable(cfg, data["tanggalperiksa"], now)
    patient = selectors.patient_for(facility, card=data["nomorkartu"], nik=data["nik"], mrn=data["norm"])
    if patient is None:
        raise UnknownPatient
    return services.booking_place(
        account=bridge_account(bridge),
        member=patient,
        offer=selectors.jkn_offer(schedule, data["tanggalperiksa"]),
        cfg=cfg,
        date=data["tanggalperiksa"],
        guarantor=_guarantor(data["nomorkartu"]),
        token=uuid.uuid4(),  # Mobile JKN sends no idempotency key: a repeat meets the one-per-day rule
        card_number=data["nomorkartu"],
        referral_number=data["nomorreferensi"],
        channel=BookingChannel.MOBILE_JKN,
        bpjs_visit_kind=data["jeniskunjungan"],
        reason=_("Booked in Mobile JKN"),
    )


def booking_cancel(*, bridge: AntreanBridge, booking: Booking, reason: str, now: dt.datetime | None = None) -> Booking:
    """Batal Antrean: the portal's cancel rules (status, cut-off before the practice), Mobile JKN's reason kept."""
    return services.booking_cancel(
        booking=booking,
        actor=bridge_account(bridge),
        now=now,
        reason=_("Cancelled in Mobile JKN: %(reason)s") % {"reason": reason},
    )


def booking_check_in(
    *, bridge: AntreanBridge, booking: Booking, at: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Check-in from Mobile JKN: the counter's check-in (which records the arrival), on the exam day, before it ends."""
    now = now or timezone.now()
    facility = bridge.facility
    local = facility.local_now(at)
    if local.date() != booking.date:
        raise ValidationError(_("Check-in is only possible on the exam date."), code="wrong_day")
    session_end = facility.make_aware(dt.datetime.combine(booking.date, booking.day_quota.schedule.end_time))
    if at > session_end or now > session_end:
        raise ValidationError(_("The practice has already ended."), code="session_over")
    # The arrival task is timed when Mobile JKN says the patient checked in (never in the future).
    return desk_services.booking_check_in(
        booking=booking, actor=bridge_account(bridge), today=facility.local_today(now), now=min(at, now)
    )


def patient_register(*, bridge: AntreanBridge, data: dict) -> tuple[Patient, str, bool]:
    """Info Pasien Baru: the patient, made through the counter's registration, with this facility's
    medical record number (families.services.patient_record_allocate).

    A repeated call for someone already registered (same card and NIK) answers their number
    again, rather than a second record; a patient known elsewhere gets a record here. Returns
    (patient, mrn, created).
    """
    existing = selectors.patient_for(bridge.facility, card=data["nomorkartu"], nik=data["nik"], mrn="")
    if existing is None:
        patient = desk_services.patient_register(actor=bridge_account(bridge), **_patient_fields(data))
        created = True
    else:
        if existing.nik != data["nik"]:
            raise ValidationError(
                _("This card number belongs to a patient with another NIK. Please come to registration."),
                code="identity_conflict",
            )
        patient, created = existing, False
    record = family_services.patient_record_allocate(patient=patient, facility=bridge.facility)
    return patient, record.mrn, created


def _patient_fields(data: dict) -> dict:
    return {
        "full_name": data["nama"],
        "nik": data["nik"],
        "kk_number": data["nomorkk"],
        "bpjs_number": data["nomorkartu"],
        "sex": data["jeniskelamin"],
        "birth_date": data["tanggallahir"],
        "phone": data["nohp"],
        "address_street": data["alamat"],
        "address_rt": data["rt"],
        "address_rw": data["rw"],
        "address_village": data["namakel"],
        "address_district": data["namakec"],
        "address_regency": data["namadati2"],
        "address_province": data["namaprop"],
        "nik_mismatch": nik_mismatch(data["nik"], data["tanggallahir"], data["jeniskelamin"]),
    }
