"""Writes that carry the booking rules. Each runs in one short transaction.

Lock order, the same in every function here, so two writers never wait on each other in a
circle:
  1. a new booking row (its unique-index entries: patient+date, confirm token, code);
  2. DayQuota rows (ordered by id when there are several);
  3. existing booking rows.
`booking_create` takes the DayQuota row last: the counter row is the hot spot of a rush. On
PostgreSQL the whole write is one round trip and the row is locked only inside the server, from
the counter UPDATE to the commit (queueing/booking_write.py); elsewhere the ORM holds it for one
UPDATE ... RETURNING, one UPDATE of the new booking and the COMMIT. Every write to the counter
row is in queueing/counters.py.
E-mail is sent after commit, never inside a transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import Patient
from guarantors import services as guarantor_services
from guarantors.models import DocumentKind, GuarantorKind, GuarantorType
from notifications.services import notify
from portal.lib import mail
from portal.lib.uploads import CleanUpload, discard_private, store_failed, store_private
from queueing import booking_write, counters, selectors, task_times, transitions
from queueing.jkn import outbox
from queueing.models import (
    CANCELLABLE_STATUSES,
    HOLDING_STATUSES,
    Booking,
    BookingChannel,
    BookingDocument,
    BookingEvent,
    BookingMode,
    BookingSettings,
    BookingStatus,
    Clinic,
    DayQuota,
    ExceptionScope,
    Schedule,
    ScheduleException,
    Task,
)
from queueing.transitions import Action

log = logging.getLogger(__name__)

# --- checks shared with the forms --------------------------------------------------------


def check_account_may_book(account) -> None:
    if not account.email_confirmed:
        raise ValidationError(_("Confirm your e-mail address before your first booking."), code="email_unconfirmed")
    if not account.profile_complete:
        raise ValidationError(_("Complete your profile before booking."), code="profile_incomplete")


def check_member(patient: Patient) -> None:
    missing = selectors.member_missing_fields(patient)
    if missing:
        raise ValidationError(
            _("%(name)s's data is incomplete: %(missing)s. Complete it first."),
            code="member_incomplete",
            params={"name": patient.full_name, "missing": ", ".join(missing)},
        )


def guarantor_eligibility(
    *, patient: Patient, clinic: Clinic | None, date: dt.date, card_number: str, referral_number: str
) -> guarantor_services.EligibilityResult:
    """Ask BPJS about this member's card and referral for this clinic and date (never inside a transaction).

    Without a clinic the referral's clinic is not compared: the guarantor step asks early, the
    doctor step asks again with the clinic (answered from the cache, so BPJS is asked once).
    """
    return guarantor_services.check_bpjs_eligibility(
        card_number=card_number,
        referral_number=referral_number,
        full_name=patient.full_name,
        birth_date=patient.birth_date,
        clinic_bpjs_code=clinic.bpjs_code if clinic else "",
        exam_date=date,
    )


def check_date_bookable(cfg: BookingSettings, date: dt.date, now: dt.datetime | None = None) -> None:
    window = selectors.booking_window(cfg=cfg, now=now)
    if window is None or not window[0] <= date <= window[1]:
        raise ValidationError(_("Bookings for this date are not open."), code="date_outside_window")


# --- booking_create ----------------------------------------------------------------------


def _full_error() -> ValidationError:
    return ValidationError(
        _("No places are left with this doctor on this date. Choose another doctor or date."), code="full"
    )


def _closed_error() -> ValidationError:
    return ValidationError(_("This doctor does not practise on this date."), code="schedule_closed")


def _already_booked_error() -> ValidationError:
    # SOP 000 I.9: "sudah memiliki antrian untuk hari ini".
    return ValidationError(_("This patient already has a queue for that day."), code="already_booked")


def _existing_for(token: uuid.UUID, patient_id, date: dt.date) -> list[Booking]:
    return list(
        Booking.objects.filter(
            Q(confirm_token=token) | Q(patient_id=patient_id, date=date, status__in=HOLDING_STATUSES)
        )
    )


def _resolve_existing(existing: list[Booking], token: uuid.UUID, account) -> Booking | None:
    """The booking a repeated confirm already made, or a refusal when the day is taken."""
    for booking in existing:
        if booking.confirm_token == token:
            if booking.account_id != account.pk:
                raise ValidationError(_("This form has expired. Start again."), code="token_reused")
            return booking
    if existing:
        raise _already_booked_error()
    return None


def _checked_member(member: Patient | None) -> Patient:
    if member is None:
        raise ValidationError(_("You cannot book for this person."), code="not_family")
    check_member(member)
    return member


def _refusal(exc: ValidationError, token: uuid.UUID, patient_id, date: dt.date, account) -> Booking:
    """Before refusing, look for what this confirm already did: a repeated click gets its booking.

    Checked only on the way to a refusal, so the common path spends no query on it.
    """
    found = _resolve_existing(_existing_for(token, patient_id, date), token, account)
    if found:
        return found
    raise exc


def _checked_guarantor(guarantor_id, card_number: str, referral_number: str) -> tuple[GuarantorType, str, str]:
    guarantor = selectors.active_guarantors().get(str(guarantor_id))
    if guarantor is None:
        raise ValidationError(_("Choose a guarantor."), code="guarantor_unavailable")
    return guarantor, *guarantor_services.validate_guarantor_numbers(
        guarantor, card_number=card_number, referral_number=referral_number
    )


def _checked_switch(guarantor: GuarantorType, switched_from_id) -> GuarantorType | None:
    """Seed 004: only a JPKMKT patient moves to BPJS Kesehatan (with consent, asked by the form)."""
    if switched_from_id is None:
        return None
    first = selectors.active_guarantors().get(str(switched_from_id))
    if first is None or first.kind != GuarantorKind.JPKMKT or not guarantor.is_bpjs_kesehatan:
        raise ValidationError(_("Choose a guarantor."), code="guarantor_switch_invalid")
    return first


def booking_create(
    *,
    account,
    patient_id,
    schedule_id: int,
    date: dt.date,
    guarantor_id: int,
    token: uuid.UUID,
    card_number: str = "",
    referral_number: str = "",
    guarantor_verified: bool = False,
    guarantor_check: dict | None = None,
    guarantor_switched_from_id: int | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a place for a family member with a schedule on a date; a repeated `token` returns the first booking.

    Takes ids, not objects: every object is loaded here with the check that goes with it (the
    family link, the schedule open on that date), so a caller cannot pass one it did not check.
    On the common path one read (member and offer together) and one write: on PostgreSQL a single
    round trip (`booking_write`), elsewhere the same steps through the ORM in one transaction. A
    repeated confirm or a second booking that day is found by the unique constraints and resolved
    by `_refusal`. `guarantor_verified`/`guarantor_check` carry an eligibility answer (BPJS
    VClaim) obtained before this call: no remote call ever runs inside the transaction.
    """
    check_account_may_book(account)
    member, offer = selectors.booking_inputs(account, patient_id, schedule_id, date)
    member = _checked_member(member)
    cfg = BookingSettings.current(offer.facility_id if offer else None)
    guarantor, card_number, referral_number = _checked_guarantor(guarantor_id, card_number, referral_number)
    switched_from = _checked_switch(guarantor, guarantor_switched_from_id)
    check_date_bookable(cfg, date, now)
    return booking_place(
        account=account,
        member=member,
        offer=offer,
        cfg=cfg,
        date=date,
        guarantor=guarantor,
        token=token,
        card_number=card_number,
        referral_number=referral_number,
        guarantor_verified=guarantor_verified,
        guarantor_check=guarantor_check,
        switched_from=switched_from,
    )


def booking_place(
    *,
    account,
    member: Patient,
    offer: selectors.Offer | None,
    cfg: BookingSettings,
    date: dt.date,
    guarantor: GuarantorType,
    token: uuid.UUID,
    card_number: str = "",
    referral_number: str = "",
    guarantor_verified: bool = False,
    guarantor_check: dict | None = None,
    switched_from: GuarantorType | None = None,
    channel: str = BookingChannel.ONLINE,
    bpjs_visit_kind: str = "",
    reason: str = "",
) -> Booking:
    """The write every booking channel shares (the portal's booking_create, Mobile JKN's Ambil Antrean).

    The caller has checked who may book for `member` and that `date` is open; here: the same
    counter row and numbering, one booking per patient per day (a constraint), the quota (the
    counter UPDATE). A Mobile JKN booking takes Mobile JKN's share and always gets its number at
    once (BPJS has checked the card; the patient waits for a number in the app) and no e-mail.
    """
    if offer is None or offer.full:  # fast refusal without writing; the UPDATE below is the real check
        return _refusal(_closed_error() if offer is None else _full_error(), token, member.pk, date, account)
    schedule = offer.schedule
    instant = cfg.mode == BookingMode.INSTANT or channel == BookingChannel.MOBILE_JKN
    booking = Booking(
        confirm_token=token,
        patient=member,
        account=account,
        date=date,
        day_quota_id=offer.day_quota_id or counters.day_quota_get(schedule, date).pk,
        clinic_id=schedule.clinic_id,
        doctor_id=schedule.doctor_id,
        guarantor=guarantor,
        card_number=card_number,
        referral_number=referral_number,
        status=BookingStatus.REQUESTED,
        guarantor_verified=guarantor_verified,
        guarantor_check=guarantor_check or {},
        guarantor_switched_from=switched_from,
        channel=channel,
        bpjs_visit_kind=bpjs_visit_kind,
    )
    for name in ("clinic", "doctor"):  # as the offer read them: the confirmation names them without a query
        if Schedule._meta.get_field(name).is_cached(schedule):
            setattr(booking, name, getattr(schedule, name))
    event = BookingEvent(
        booking=booking,
        to_status=BookingStatus.VERIFIED if instant else BookingStatus.REQUESTED,
        actor=account,
        reason=reason,
    )
    try:
        booking = booking_write.write(booking, event, offer=offer, instant=instant)
    except booking_write.NoPlace:
        closed = DayQuota.objects.filter(pk=booking.day_quota_id, closed=True).exists()
        return _refusal(_closed_error() if closed else _full_error(), token, member.pk, date, account)
    except IntegrityError:
        # The constraints decide a race: a second confirm with this token, or a second booking
        # for this patient and day, fails its insert here.
        return _refusal(
            ValidationError(_("Something changed while you were booking. Please try again."), code="conflict"),
            token,
            member.pk,
            date,
            account,
        )
    if instant and channel == BookingChannel.ONLINE:
        # The number at once (SOP 000): the e-mail carries it and the slip link.
        _mail(booking, "confirmed", facility_id=offer.facility_id)
    return booking


# --- letters sent with a booking ------------------------------------------------------------


def _same_file(document: BookingDocument, upload: CleanUpload) -> bool:
    """A double-clicked confirm sends the same file twice; it is stored once (rebuilding is reproducible)."""
    if document.size != upload.size:
        return False
    try:
        with document.file.open("rb") as stored:
            return stored.read() == upload.content
    except OSError:  # gone, or the storage is down (then storing the new one fails with its own error)
        return False


def booking_document_add(*, booking: Booking, kind: str, upload: CleanUpload, actor) -> BookingDocument:
    """Keep a referral letter, SKD or guarantee letter with the booking, on the private storage.

    `upload` comes from portal.lib.uploads (type checked, rebuilt without metadata or active
    content); the file is written outside the booking transaction and removed again if the row fails.
    """
    if kind not in DocumentKind.values:
        raise ValidationError(_("Choose what kind of letter this is."), code="document_kind_invalid")
    for existing in BookingDocument.objects.filter(booking=booking, kind=kind):
        if _same_file(existing, upload):
            return existing
    document = BookingDocument(
        booking=booking, kind=kind, content_type=upload.content_type, size=upload.size, uploaded_by=actor
    )
    try:
        name = store_private(document.file, upload.as_file("document"))
    except OSError as exc:  # the disk or the shared bucket did not take the file: no row either
        log.warning("booking letter not stored: %s", exc)
        raise store_failed() from exc
    try:
        document.save(force_insert=True)
    except Exception:
        discard_private(document.file.storage, name)
        raise
    return document


# --- status changes ------------------------------------------------------------------------


def cancel_deadline(booking: Booking, cfg: BookingSettings) -> dt.datetime:
    start = dt.datetime.combine(booking.date, booking.day_quota.schedule.start_time)
    return cfg.facility.make_aware(start) - dt.timedelta(hours=cfg.cancel_cutoff_hours)


def can_cancel(booking: Booking, cfg: BookingSettings, now: dt.datetime | None = None) -> bool:
    """Until the cut-off; a booking hit by a schedule change may always be cancelled."""
    if not transitions.allows(Action.CANCEL, booking.status):
        return False
    return booking.affected or (now or timezone.now()) < cancel_deadline(booking, cfg)


def _release(booking: Booking, *, action: str, actor, reason: str, **fields) -> Booking:
    """Move a booking out of the quota: DayQuota row first, then the booking (lock order 2, 3)."""
    to_status = transitions.target(action)
    with transaction.atomic():
        counters.lock(pk=booking.day_quota_id)
        changed = Booking.objects.filter(pk=booking.pk, status__in=transitions.sources(action)).update(
            status=to_status, updated_at=timezone.now(), **fields
        )
        if not changed:
            raise transitions.refusal(action)  # someone else changed it first
        counters.release_place(booking.day_quota_id, jkn_place=booking.holds_jkn_place)
        BookingEvent.objects.create(
            booking=booking, from_status=booking.status, to_status=to_status, actor=actor, reason=reason
        )
        if action == Action.CANCEL:
            task_times.task_record(booking=booking, task_id=Task.CANCELLED)  # BPJS task 99
        outbox.record_cancel(booking.pk, str(reason))  # BPJS Antrean: batal, after its task 99 (bridge on)
    booking.refresh_from_db()
    return booking


def booking_cancel(*, booking: Booking, actor, now: dt.datetime | None = None, reason: str = "") -> Booking:
    """The patient cancels (on the portal or in Mobile JKN, whose reason is kept): the place is freed,
    the number is never given again."""
    cfg = selectors.settings_for(booking)
    transitions.require(Action.CANCEL, booking)
    if not can_cancel(booking, cfg, now):
        raise ValidationError(
            _("Bookings can be cancelled until %(hours)s hours before the practice starts."),
            code="cancel_cutoff_passed",
            params={"hours": cfg.cancel_cutoff_hours},
        )
    return _release(booking, action=Action.CANCEL, actor=actor, reason=reason[:300] or _("Cancelled by the patient"))


def booking_reject(*, booking: Booking, actor, reason: str) -> Booking:
    """A clerk rejects a request (SOP 002 step 4): a reason is required; the place is freed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection."), code="reason_required")
    transitions.require(Action.REJECT, booking)
    booking = _release(booking, action=Action.REJECT, actor=actor, reason=reason, reject_reason=reason)
    _mail(booking, "rejected")
    return booking


def booking_verify(*, booking: Booking, actor) -> Booking:
    """A clerk verifies a request (SOP 002 steps 5-6): the number is given now, in verification order."""
    transitions.require(Action.VERIFY, booking)
    schedule = Schedule.objects.select_related("clinic").get(pk=booking.day_quota.schedule_id)
    with transaction.atomic():
        number = counters.give_number(booking.day_quota_id)
        changed = Booking.objects.filter(pk=booking.pk, status__in=transitions.sources(Action.VERIFY)).update(
            status=transitions.target(Action.VERIFY),
            number=number,
            label=booking_write.label_for(schedule.clinic.prefix, number),
            estimated_time=schedule.estimated_time(number),
            updated_at=timezone.now(),
        )
        if not changed:
            raise transitions.refusal(Action.VERIFY)  # verified twice at once: the rollback takes the number back
        BookingEvent.objects.create(
            booking=booking, from_status=booking.status, to_status=transitions.target(Action.VERIFY), actor=actor
        )
        outbox.record_add(booking.pk)  # BPJS Antrean hears of the numbered booking (bridge on)
    booking.refresh_from_db()
    _mail(booking, "verified")
    return booking


# --- schedule exceptions and schedule edits ----------------------------------------------------


def _schedules_under(exception: ScheduleException) -> list[Schedule]:
    schedules = Schedule.objects.filter(weekday=exception.date.weekday()).select_related("clinic")
    if exception.scope == ExceptionScope.HOSPITAL:
        schedules = schedules.filter(clinic__facility_id=exception.facility_id)
    elif exception.scope == ExceptionScope.CLINIC:
        schedules = schedules.filter(clinic_id=exception.clinic_id)
    elif exception.scope == ExceptionScope.DOCTOR:
        schedules = schedules.filter(doctor_id=exception.doctor_id)
    return list(schedules)


def exception_create(*, exception: ScheduleException, actor=None) -> list[Booking]:
    """Save a closure, close its day quotas and mark the bookings it hits; e-mail them after commit.

    Closing the DayQuota rows waits for bookings in flight on them, so none slips in unmarked,
    and any booking after that is refused by the `closed` flag in the counter UPDATE.
    """
    exception.full_clean()
    exception.created_by = actor
    schedules = _schedules_under(exception)
    with transaction.atomic():
        exception.save()
        for schedule in schedules:
            counters.day_quota_get(schedule, exception.date)
        quota_ids = counters.lock(schedule__in=schedules, date=exception.date)
        counters.close(quota_ids)
        hit = Booking.objects.filter(day_quota_id__in=quota_ids, status__in=CANCELLABLE_STATUSES)
        affected = list(hit.select_related("account", "clinic", "doctor", "patient"))
        hit.update(affected=True, affected_note=exception.reason[:300], updated_at=timezone.now())
    for booking in affected:
        booking.affected, booking.affected_note = True, exception.reason[:300]
        _mail(booking, "affected")
    return affected


def exception_delete(*, exception: ScheduleException) -> None:
    """Remove a closure and reopen the day quotas no other exception still closes."""
    schedules = _schedules_under(exception)
    with transaction.atomic():
        exception.delete()
        others = list(ScheduleException.objects.filter(date=exception.date))
        still_closed = selectors.schedules_covered(schedules, others)
        counters.reopen([s for s in schedules if s.pk not in still_closed], exception.date)


def schedule_sync_day_quotas(*, schedule: Schedule, today: dt.date | None = None) -> int:
    """Carry a changed online quota to the coming days; never below the places already taken."""
    today = today or schedule.clinic.facility.local_today()
    return counters.sync_online_quota(schedule, today)


# --- e-mail after commit ---------------------------------------------------------------------


def _mail(booking: Booking, kind: str, *, facility_id: int | None = None) -> None:
    """Tell the account holder on their channels once the change is committed (confirmed, affected,
    verified or rejected).

    Signed by the booking's facility (its name and phone), not the deployment. A Mobile JKN
    booking has no account holder to write to: the patient follows it in Mobile JKN.
    """
    if booking.channel == BookingChannel.MOBILE_JKN:
        return
    facility = selectors.facility_clock(facility_id or booking.clinic.facility_id)
    notify(
        f"queueing/emails/booking_{kind}",
        account=booking.account,
        context={
            "booking": booking,
            "account": booking.account,
            "hospital": facility.name,
            "hospital_phone": facility.phone,
            "slip_url": mail.absolute_url("queueing:booking_slip_pdf", booking.code),
        },
    )


# --- patient merges (families.signals.patient_merged) -----------------------------------------


def bookings_repoint(*, kept: Patient, removed: Patient) -> int:
    """Move the removed duplicate's bookings to the kept patient, inside the merge transaction.

    Two active bookings on one day would break the one-per-day rule: the merge is refused
    until one of them is cancelled, rather than dropping either silently.
    """
    removed_days = Booking.objects.filter(patient=removed, status__in=HOLDING_STATUSES).values("date")
    if Booking.objects.filter(patient=kept, status__in=HOLDING_STATUSES, date__in=removed_days).exists():
        raise ValidationError(
            _("Both records have a queue on the same day. Cancel one of them first."), code="merge_same_day_bookings"
        )
    return Booking.objects.filter(patient=removed).update(patient=kept, updated_at=timezone.now())


def on_patient_merged(sender, *, kept: Patient, removed: Patient, **kwargs) -> None:
    bookings_repoint(kept=kept, removed=removed)
