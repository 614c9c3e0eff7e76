"""Patient booking pages (SOP 000 I): a server-rendered wizard, my bookings, cancel, print.

Pages about a person's visits are health data: they are sent with `never_cache` (no-store),
so a shared phone or proxy does not keep them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from families.models import Patient
from guarantors import services as guarantor_services
from guarantors.models import GuarantorKind, GuarantorType
from guarantors.uploads import DocumentKind
from queueing import selectors, services
from queueing.forms import (
    ClinicForm,
    ConfirmForm,
    DateForm,
    DoctorForm,
    DocumentUploadForm,
    GuarantorForm,
    MemberForm,
    long_date,
)
from queueing.models import CANCELLABLE_STATUSES, Booking, BookingSettings, BookingStatus, Clinic
from queueing.wizard import STEPS, Wizard


def member_edit_url(patient: Patient) -> str:
    """The member's edit page once the families app has one; the dashboard until then."""
    try:
        return reverse("families:member_edit", args=[patient.pk])
    except NoReverseMatch:
        return reverse("dashboard")


# --- gate and wizard plumbing ----------------------------------------------------------------

def _gate_problems(user) -> list[dict[str, str]]:
    """What stops this account from booking at all, each with the page that fixes it."""
    problems = []
    try:
        services.check_account_may_book(user)
    except ValidationError as exc:
        link = {"email_unconfirmed": ("accounts:resend_confirmation", _("Send the confirmation link again")),
                "profile_incomplete": ("accounts:profile", _("Complete my profile"))}[exc.code]
        problems.append({"code": exc.code, "message": exc.messages[0], "url": reverse(link[0]), "link": link[1]})
    return problems


@dataclass
class State:
    """The wizard's answers turned back into objects, each checked again."""

    wizard: Wizard
    cfg: BookingSettings
    patient: Patient | None = None
    date: dt.date | None = None
    guarantor: GuarantorType | None = None
    clinic: Clinic | None = None
    offer: selectors.Offer | None = None
    problems: list[str] = field(default_factory=list)

    def summary(self) -> list[tuple[str, str, str]]:
        rows = [("member", _("Patient"), self.patient and self.patient.full_name),
                ("date", _("Exam date"), self.date and long_date(self.date)),
                ("guarantor", _("Guarantor"), self.guarantor and self._guarantor_text()),
                ("clinic", _("Clinic"), self.clinic and self.clinic.name),
                ("doctor", _("Doctor"), self.offer and self.offer.schedule.doctor.name)]
        return [(step, label, value) for step, label, value in rows if value]

    def _guarantor_text(self) -> str:
        card = self.wizard.data.get("card_number")
        return f"{self.guarantor.name} ({card})" if card else self.guarantor.name

    @property
    def switched_from(self) -> GuarantorType | None:
        return selectors.active_guarantors().get(str(self.wizard.data.get("switched_from")))


def _resolve(request: HttpRequest, wizard: Wizard, upto: str) -> State:
    """Load the answers needed before step `upto`; a stale answer is forgotten, with a note why."""
    state = State(wizard=wizard, cfg=BookingSettings.current())
    data, needed = wizard.data, STEPS[:STEPS.index(upto)]
    if "member" in needed:
        state.patient = selectors.members_for(request.user).filter(pk=data.get("patient")).first()
        if state.patient is None:
            return _stale(state, "patient")
    if "date" in needed:
        state.date = dt.date.fromisoformat(data["date"])
        try:
            services.check_date_bookable(state.cfg, state.date)
        except ValidationError as exc:
            return _stale(state, "date", exc.messages[0])
    if "guarantor" in needed:
        state.guarantor = selectors.bookable_guarantors().filter(pk=data.get("guarantor")).first()
        if state.guarantor is None:
            return _stale(state, "guarantor")
    if "clinic" in needed:
        state.clinic = selectors.clinics_on(state.date).filter(pk=data.get("clinic")).first()
        if state.clinic is None:
            return _stale(state, "clinic", _("This clinic has no practice on this date."))
    if "doctor" in needed:
        state.offer = selectors.offer_for(data.get("schedule"), state.date)
        if state.offer is None or state.offer.schedule.clinic_id != state.clinic.pk:
            return _stale(state, "schedule", _("This doctor has no practice on this date."))
    return state


def _stale(state: State, key: str, message: str | None = None) -> State:
    state.wizard.forget(key)
    state.problems.append(message or _("Please choose again."))
    return state


def _wizard_view(step: str):
    """Decorator: login, the account gate, the wizard from the session and its answers so far."""
    def decorate(view):
        @never_cache
        @login_required
        def wrapped(request: HttpRequest, wid: str, **kwargs: Any) -> HttpResponse:
            if _gate_problems(request.user):
                return redirect("queueing:booking_start")
            wizard = Wizard.load(request.session, wid)
            if wizard is None:
                return _lost_wizard(request, wid)
            done = Booking.objects.filter(confirm_token=wizard.token, account=request.user).only("code").first()
            if done:  # a finished wizard is not reopened: its token already made this booking
                return redirect("queueing:booking_detail", code=done.code)
            if not wizard.reachable(step):
                return redirect(f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
            state = _resolve(request, wizard, step)
            if state.problems:
                for problem in state.problems:
                    messages.warning(request, problem)
                return redirect(f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
            return view(request, state, **kwargs)
        wrapped.__name__ = view.__name__
        return wrapped
    return decorate


def _lost_wizard(request: HttpRequest, wid: str) -> HttpResponse:
    """A wizard no longer in the session (dropped as the oldest) leads to its booking if it made one."""
    try:
        booking = selectors.bookings_for(request.user).filter(confirm_token=wid).first()
    except ValidationError:  # not a UUID
        booking = None
    if booking:
        return redirect("queueing:booking_detail", code=booking.code)
    messages.info(request, _("That booking form has expired. Start again."))
    return redirect("queueing:booking_start")


def _render_step(request: HttpRequest, state: State, step: str, form, **extra: Any) -> HttpResponse:
    context = {"state": state, "wizard": state.wizard, "step": step, "steps": STEPS,
               "step_number": STEPS.index(step) + 1, "step_count": len(STEPS), "form": form, **extra}
    return render(request, f"queueing/wizard_{step}.html", context)


def _next(state: State) -> HttpResponse:
    return redirect(f"queueing:wizard_{state.wizard.first_missing_step()}", wid=state.wizard.id)


# --- wizard steps ------------------------------------------------------------------------------

@login_required
def booking_start(request: HttpRequest) -> HttpResponse:
    """'Ambil Antrian': check the account, then open a wizard (prefilled when booking again)."""
    problems = _gate_problems(request.user)
    if problems:
        return render(request, "queueing/booking_blocked.html", {"problems": problems})
    prefill = {}
    again = request.GET.get("dari")
    if again:
        previous = selectors.bookings_for(request.user).filter(code=again).first()
        if previous:
            prefill = {"patient": str(previous.patient_id), "guarantor": previous.guarantor_id,
                       "card_number": previous.card_number, "referral_number": previous.referral_number,
                       "switched_from": previous.guarantor_switched_from_id, "clinic": previous.clinic_id}
    patient = request.GET.get("anggota")
    if patient and not prefill:
        prefill = {"patient": patient}
    wizard = Wizard.start(request.session, **prefill)
    return redirect(f"queueing:wizard_{wizard.first_missing_step()}", wid=wizard.id)


@_wizard_view("member")
def wizard_member(request: HttpRequest, state: State) -> HttpResponse:
    form = MemberForm(request.user, request.POST or None, initial={"patient": state.wizard.data.get("patient")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("member", {"patient": str(form.cleaned_data["patient"].pk)})
        return _next(state)
    members = [{"patient": p, "missing": selectors.member_missing_fields(p), "edit_url": member_edit_url(p)}
               for p in form.fields["patient"].queryset]
    return _render_step(request, state, "member", form, members=members,
                        add_member_url=_families_url("families:member_add"))


def _families_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@_wizard_view("date")
def wizard_date(request: HttpRequest, state: State) -> HttpResponse:
    dates = selectors.open_dates(cfg=state.cfg)
    form = DateForm(dates, request.POST or None, initial={"date": state.wizard.data.get("date")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("date", {"date": form.cleaned_data["date"].isoformat()})
        return _next(state)
    return _render_step(request, state, "date", form, dates=dates)


@_wizard_view("guarantor")
def wizard_guarantor(request: HttpRequest, state: State) -> HttpResponse:
    """Guarantor, card and referral; "Cek Nomor Rujukan" asks BPJS and stays on the page (SOP 000 I.6)."""
    data = state.wizard.data
    state.clinic = _chosen_clinic(state)  # shown in the summary; BPJS then checks the referral's clinic too
    options = {"patient": state.patient, "exam_date": state.date, "clinic": state.clinic}
    if request.method == "POST":
        form = GuarantorForm(request.POST, **options)
        if form.is_valid() and request.POST.get("action") != "check":
            return _save_guarantor(request, state, form)
    elif data.get("guarantor_errors"):  # BPJS refused at a later step: show it under the field
        form = GuarantorForm.showing(_guarantor_values(state), data["guarantor_errors"], **options)
        state.wizard.forget("guarantor_errors")
    else:
        form = GuarantorForm(initial=_guarantor_values(state), **options)
    checked = request.POST.get("action") == "check" and form.eligibility is not None
    return _render_step(request, state, "guarantor", form, edit_url=member_edit_url(state.patient),
                        switching_from=_pending_switch(state),
                        check=_readable_check(form.eligibility.as_json()) if checked else None,
                        **_guarantor_types_context())


def _chosen_clinic(state: State) -> Clinic | None:
    """The clinic when the person comes back from a later step: then the referral's clinic is checked too."""
    clinic_id = state.wizard.data.get("clinic")
    return selectors.clinics_on(state.date).filter(pk=clinic_id).first() if clinic_id else None


def _guarantor_values(state: State) -> dict[str, str]:
    """What the person chose and typed, or the member's BPJS number to start with."""
    data = state.wizard.data
    pending = data.get("pending_switch")
    guarantor = selectors.active_guarantors().get(str(data.get("guarantor")))
    if pending:  # just agreed to BPJS Kesehatan instead of JPKMKT: BPJS, with the active card
        bpjs = selectors.bpjs_kesehatan_type()
        return {"guarantor_type": bpjs.code if bpjs else "", "card_number": pending["card"],
                "referral_number": data.get("referral_number", "")}
    return {"guarantor_type": guarantor.code if guarantor else "",
            "card_number": data.get("card_number") or state.patient.bpjs_number or "",
            "referral_number": data.get("referral_number", "")}


def _pending_switch(state: State) -> GuarantorType | None:
    pending = state.wizard.data.get("pending_switch")
    return selectors.active_guarantors().get(str(pending["from"])) if pending else None


def _guarantor_types_context() -> dict[str, Any]:
    """Each type's notes and documents, and what its fields need (for the page's script).

    The clinic's extra papers are added on the confirm page, once the clinic is known.
    """
    types = list(selectors.bookable_guarantors())
    meta = {g.code: {"card": g.needs_card_number, "referral": g.needs_referral, "bpjs": g.is_bpjs_kesehatan,
                     "card_label": g.card_number_label} for g in types}
    return {"types": [{"type": g, "documents": g.required_documents or []} for g in types], "type_meta": meta}


def _readable_check(check: dict[str, Any]) -> dict[str, Any]:
    """An eligibility answer (as stored) with its dates as dates, for the templates."""
    referral = (check.get("summary") or {}).get("referral")
    if not referral or not referral.get("valid_until"):
        return check
    until = dt.date.fromisoformat(referral["valid_until"])
    return {**check, "summary": {**check["summary"], "referral": {**referral, "valid_until": until}}}


def _save_guarantor(request: HttpRequest, state: State, form: GuarantorForm) -> HttpResponse:
    wizard, cleaned = state.wizard, form.cleaned_data
    gtype = cleaned["guarantor_type"]
    if form.switch_to_bpjs:
        bpjs = selectors.bpjs_kesehatan_type()
        if bpjs is not None:
            wizard.put("pending_switch", {"from": gtype.pk, "card": form.jpkmkt_participant.card_number})
            messages.info(request, _("BPJS Kesehatan is now the guarantor. Enter the number of your referral letter."))
            return redirect("queueing:wizard_guarantor", wid=wizard.id)
    pending = wizard.data.get("pending_switch")
    # The consent holds while BPJS Kesehatan stays the guarantor (e.g. a corrected referral number).
    earlier = pending["from"] if pending else wizard.data.get("switched_from")
    switched_from = earlier if gtype.is_bpjs_kesehatan else None
    wizard.forget("pending_switch", "guarantor_errors")
    wizard.save_step("guarantor", {"guarantor": gtype.pk, "card_number": cleaned["card_number"],
                                   "referral_number": cleaned["referral_number"], "switched_from": switched_from})
    if form.eligibility is not None:
        clinic = form.clinic.pk if form.clinic else None
        wizard.remember_check(form.eligibility.as_json(), verified=form.eligibility.is_verified, clinic_id=clinic)
    elif gtype.kind == GuarantorKind.JPKMKT:
        wizard.remember_check(form.jpkmkt_note(), verified=False, clinic_id=None)
    return _next(state)


@_wizard_view("clinic")
def wizard_clinic(request: HttpRequest, state: State) -> HttpResponse:
    form = ClinicForm(state.date, request.POST or None, initial={"clinic": state.wizard.data.get("clinic")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("clinic", {"clinic": form.cleaned_data["clinic"].pk})
        return _next(state)
    return _render_step(request, state, "clinic", form)


@_wizard_view("doctor")
def wizard_doctor(request: HttpRequest, state: State) -> HttpResponse:
    offers = selectors.doctors_on(state.clinic, state.date)
    form = DoctorForm(offers, request.POST or None, initial={"schedule": state.wizard.data.get("schedule")})
    if request.method == "POST" and form.is_valid():
        state.wizard.save_step("doctor", {"schedule": form.cleaned_data["schedule"].schedule.pk})
        if _eligibility(state) is None:  # the clinic is known now: BPJS checks the referral's clinic
            return _back_to_guarantor(request, state)
        return _next(state)
    return _render_step(request, state, "doctor", form, offers=offers)


# --- the eligibility answer (BPJS Kesehatan) ---------------------------------------------------

def _eligibility(state: State) -> dict[str, Any] | None:
    """The guarantor check for the current answers: kept in the wizard, or asked now; None if BPJS refused.

    Runs before booking_create and outside any transaction. Only BPJS Kesehatan is asked; other
    types carry what their step noted (the JPKMKT rule) or nothing. A refusal is kept for the
    guarantor step, which shows it under the card or referral field with everything typed.
    """
    wizard, guarantor = state.wizard, state.guarantor
    clinic_id = state.clinic.pk if state.clinic else None
    stored = wizard.stored_check(clinic_id=clinic_id, clinic_matters=guarantor.is_bpjs_kesehatan)
    if stored is not None or not guarantor.is_bpjs_kesehatan:
        return stored or {"check": {}, "verified": False}
    data = wizard.data
    result = services.guarantor_eligibility(patient=state.patient, clinic=state.clinic, date=state.date,
                                            card_number=data.get("card_number", ""),
                                            referral_number=data.get("referral_number", ""))
    if result.field_errors:
        wizard.put("guarantor_errors", {name: [[str(m), c] for m, c in pairs]
                                        for name, pairs in result.field_errors.items()})
        return None
    wizard.remember_check(result.as_json(), verified=result.is_verified, clinic_id=clinic_id)
    return wizard.stored_check(clinic_id=clinic_id, clinic_matters=True)


def _back_to_guarantor(request: HttpRequest, state: State) -> HttpResponse:
    messages.error(request, _("BPJS did not accept the card or referral for this booking. Please check it below."))
    return redirect("queueing:wizard_guarantor", wid=state.wizard.id)


@never_cache
@login_required
def wizard_confirm(request: HttpRequest, wid: str) -> HttpResponse:
    """'Ya, buat antrian': the one POST that books.

    The POST goes straight to the service, which loads and checks every answer itself; the
    summary is only rebuilt when the page must be shown again with an error. This keeps the
    request that a midnight rush hammers down to about a dozen queries: the BPJS answer was
    obtained when the confirm page was shown and is kept in the wizard.
    """
    if request.method != "POST":
        return _confirm_page(request, wid)
    wizard = Wizard.load(request.session, wid)
    if wizard is None:
        return _lost_wizard(request, wid)
    if wizard.first_missing_step() != "confirm":
        return redirect(f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
    form = ConfirmForm(request.POST, request.FILES)
    if form.is_valid():
        if form.cleaned_data["token"] != wizard.token:
            form.add_error(None, ValidationError(_("This form has expired. Start again."), code="token_mismatch"))
        else:
            check = _kept_check(wizard) or _check_now(request, wizard)
            if not isinstance(check, dict):
                return check  # a redirect: BPJS refused, or an answer went stale
            try:
                booking = _book(request, wizard, check)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                _attach_letter(request, booking, form)
                # The wizard stays in the session (the oldest are dropped): a repeated POST finds
                # its booking by the token, and not saving the session spares the rush's hottest
                # request a second transaction.
                return redirect(f"{reverse('queueing:booking_detail', args=[booking.code])}?baru=1")
    return _confirm_page(request, wid, form=form)


def _kept_check(wizard: Wizard) -> dict[str, Any] | None:
    """The answer the confirm page obtained, without a query (guarantor types are cached)."""
    data = wizard.data
    guarantor = selectors.active_guarantors().get(str(data.get("guarantor")))
    if guarantor is None:
        return None
    stored = wizard.stored_check(clinic_id=data.get("clinic"), clinic_matters=guarantor.is_bpjs_kesehatan)
    if stored is None and not guarantor.is_bpjs_kesehatan:
        return {"check": {}, "verified": False}
    return stored


def _check_now(request: HttpRequest, wizard: Wizard) -> dict[str, Any] | HttpResponse:
    """Rare: the confirm page was not shown for these answers (another tab changed them): ask now."""
    state = _resolve(request, wizard, "confirm")
    if state.problems:
        for problem in state.problems:
            messages.warning(request, problem)
        return redirect(f"queueing:wizard_{wizard.first_missing_step()}", wid=wizard.id)
    return _eligibility(state) or _back_to_guarantor(request, state)


def _book(request: HttpRequest, wizard: Wizard, check: dict[str, Any]) -> Booking:
    data = wizard.data
    return services.booking_create(
        account=request.user, patient_id=data["patient"], schedule_id=data["schedule"],
        date=dt.date.fromisoformat(data["date"]), guarantor_id=data["guarantor"], token=wizard.token,
        card_number=data.get("card_number", ""), referral_number=data.get("referral_number", ""),
        guarantor_verified=check["verified"], guarantor_check=check["check"],
        guarantor_switched_from_id=data.get("switched_from"))


def _attach_letter(request: HttpRequest, booking: Booking, form: ConfirmForm) -> None:
    """The booking is made; a letter that cannot be stored is asked for again on the booking's page."""
    upload = form.cleaned_data.get("document")
    if not upload:
        return
    try:
        services.booking_document_add(booking=booking, kind=form.cleaned_data["document_kind"], upload=upload,
                                      actor=request.user)
    except (ValidationError, OSError):
        messages.warning(request, _("Your queue is booked, but the letter could not be saved. Please send it "
                                    "again on this page, or bring it with you."))


def _letter_kind(guarantor: GuarantorType) -> str:
    """Which letter a patient most likely has for this guarantor (they can choose another)."""
    if guarantor.kind in (GuarantorKind.BPJS_KESEHATAN, GuarantorKind.BPJS_KETENAGAKERJAAN):
        return DocumentKind.REFERRAL_LETTER
    if guarantor.kind == GuarantorKind.SELF_PAY:
        return DocumentKind.DOCTOR_LETTER
    return DocumentKind.GUARANTEE_LETTER


@_wizard_view("confirm")
def _confirm_page(request: HttpRequest, state: State, form: ConfirmForm | None = None) -> HttpResponse:
    check = _eligibility(state)  # asked here, where the clinic is known, before the person confirms
    if check is None:
        return _back_to_guarantor(request, state)
    form = form or ConfirmForm(initial={"token": state.wizard.token, "document_kind": _letter_kind(state.guarantor)})
    clinic_code = state.clinic.code
    return _render_step(request, state, "confirm", form, check=_readable_check(check["check"]),
                        documents=guarantor_services.required_documents(state.guarantor, clinic_code),
                        letter_needed=guarantor_services.letter_upload_needed(state.guarantor, clinic_code),
                        switched_from=state.switched_from)


# --- my bookings -------------------------------------------------------------------------------

@never_cache
@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.upcoming_and_past(request.user)
    cfg = BookingSettings.current()
    for booking in upcoming:
        booking.cancellable = services.can_cancel(booking, cfg)
    return render(request, "queueing/booking_list.html", {"upcoming": upcoming, "past": past})


def _booking_or_404(request: HttpRequest, code: str) -> Booking:
    return get_object_or_404(selectors.bookings_for(request.user), code=code.upper())


@never_cache
@login_required
def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The result page after confirming, and the booking's page in 'My bookings' (where a letter can be added)."""
    booking = _booking_or_404(request, code)
    letter_form = _letter_form(booking, request.POST or None, request.FILES or None)
    if request.method == "POST":
        if letter_form is not None and letter_form.is_valid():
            services.booking_document_add(booking=booking, kind=letter_form.cleaned_data["kind"],
                                          upload=letter_form.cleaned_data["document"], actor=request.user)
            messages.success(request, _("Thank you, the letter has been saved with your booking."))
            return redirect("queueing:booking_detail", code=booking.code)
        if letter_form is None:
            return HttpResponse(status=405)
    cfg = BookingSettings.current()
    context = {"booking": booking, "new": request.GET.get("baru") == "1",
               "cancellable": services.can_cancel(booking, cfg),
               "cancel_deadline": services.cancel_deadline(booking, cfg),
               "can_rebook": booking.status in (BookingStatus.REJECTED, BookingStatus.CANCELLED) or booking.affected,
               "documents": guarantor_services.required_documents(booking.guarantor, booking.clinic.code),
               "letters": selectors.booking_documents(booking), "letter_form": letter_form,
               "pdf_url": _slip_pdf_url(booking)}
    return render(request, "queueing/booking_detail.html", context, status=400 if request.method == "POST" else 200)


def _letter_form(booking: Booking, data, files) -> DocumentUploadForm | None:
    """Where the guarantor or clinic asks for a letter, it can still be sent while the booking holds a place."""
    if booking.status not in CANCELLABLE_STATUSES or booking.date < timezone.localdate():
        return None
    if not guarantor_services.letter_upload_needed(booking.guarantor, booking.clinic.code):
        return None
    return DocumentUploadForm(data, files, initial={"kind": _letter_kind(booking.guarantor)})


@never_cache
@login_required
@require_GET
def booking_document(request: HttpRequest, code: str, document_id: uuid.UUID) -> HttpResponse:
    """A letter sent with a booking: the booking's account holders and staff only; 404 for anyone else."""
    document = selectors.booking_document_for_viewer(request.user, code, document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(document.content_type, "bin")
    # PDFs are downloaded, never shown inline: a PDF viewer in the page is more than we need to trust.
    response = FileResponse(handle, content_type=document.content_type,
                            as_attachment=document.content_type == "application/pdf",
                            filename=f"{document.kind}.{extension}")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _slips_module():
    """queueing.slips (the PDF renderer) when it is installed in this checkout."""
    try:
        return importlib.import_module("queueing.slips")
    except ImportError:
        return None


def _slip_pdf_url(booking: Booking) -> str | None:
    return reverse("queueing:booking_slip_pdf", args=[booking.code]) if _slips_module() else None


def _printable(booking: Booking) -> bool:
    return booking.number is not None and booking.status not in (BookingStatus.CANCELLED, BookingStatus.REJECTED)


@never_cache
@login_required
def booking_slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF slip; `?format=thermal` for an 80 mm roll, A6 on A4 otherwise."""
    booking = _booking_or_404(request, code)
    slips = _slips_module()
    if slips is None:
        raise Http404
    if not _printable(booking):
        messages.info(request, _("The slip can be printed once your request is verified."))
        return redirect("queueing:booking_detail", code=booking.code)
    fmt = request.GET.get("format")
    pdf = slips.render_slip(_slip_data(slips, booking), fmt if fmt in slips.FORMATS else "a6")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="antrian-{booking.code}.pdf"'
    return response


def _slip_data(slips, booking: Booking):
    return slips.SlipData(
        hospital_name=settings.HOSPITAL_NAME, hospital_address=settings.HOSPITAL_ADDRESS,
        hospital_phone=settings.HOSPITAL_PHONE, label=booking.label or None, clinic_name=booking.clinic.name,
        doctor_name=booking.doctor.name, exam_date=booking.date, estimated_time=booking.estimated_time,
        patient_name=booking.patient.full_name, mrn=booking.patient.mrn, guarantor_name=booking.guarantor.name,
        required_documents=tuple(guarantor_services.required_documents(booking.guarantor, booking.clinic.code)),
        booking_code=booking.code)


@never_cache
@login_required
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_or_404(request, code)
    error = None
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking, actor=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("Your booking %(code)s has been cancelled.") % {"code": booking.code})
            return redirect("queueing:booking_detail", code=booking.code)
    return render(request, "queueing/booking_cancel.html", {"booking": booking, "error": error},
                  status=400 if error else 200)


@never_cache
@login_required
def booking_print(request: HttpRequest, code: str) -> HttpResponse:
    """A printable slip (HTML with print CSS) until the PDF slip exists."""
    booking = _booking_or_404(request, code)
    if not _printable(booking):
        messages.info(request, _("The slip can be printed once your request is verified."))
        return redirect("queueing:booking_detail", code=booking.code)
    return render(request, "queueing/booking_print.html",
                  {"booking": booking,
                   "documents": guarantor_services.required_documents(booking.guarantor, booking.clinic.code),
                   "date_text": long_date(booking.date), "printed_at": timezone.localtime()})

