"""Patient booking pages (SOP 000 I): a server-rendered wizard, my bookings, cancel, print.

Pages about a person's visits are health data: they are sent with `never_cache` (no-store),
so a shared phone or proxy does not keep them.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from families.models import Patient
from guarantors.models import GuarantorType
from queueing import selectors, services
from queueing.forms import ClinicForm, ConfirmForm, DateForm, DoctorForm, GuarantorForm, MemberForm, long_date
from queueing.models import Booking, BookingSettings, BookingStatus, Clinic
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
                       "clinic": previous.clinic_id}
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
    data = state.wizard.data
    initial = {"guarantor": data.get("guarantor"),
               "card_number": data.get("card_number") or state.patient.bpjs_number,
               "referral_number": data.get("referral_number", "")}
    form = GuarantorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        state.wizard.save_step("guarantor", {"guarantor": cleaned["guarantor"].pk,
                                             "card_number": cleaned["card_number"],
                                             "referral_number": cleaned["referral_number"]})
        return _next(state)
    return _render_step(request, state, "guarantor", form, edit_url=member_edit_url(state.patient))


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
        return _next(state)
    return _render_step(request, state, "doctor", form, offers=offers)


@never_cache
@login_required
def wizard_confirm(request: HttpRequest, wid: str) -> HttpResponse:
    """'Ya, buat antrian': the one POST that books.

    The POST goes straight to the service, which loads and checks every answer itself; the
    summary is only rebuilt when the page must be shown again with an error. This keeps the
    request that a midnight rush hammers down to about a dozen queries.
    """
    if request.method != "POST":
        return _confirm_page(request, wid)
    wizard = Wizard.load(request.session, wid)
    if wizard is None:
        return _lost_wizard(request, wid)
    if wizard.first_missing_step() != "confirm":
        return redirect(f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["token"] != wizard.token:
            form.add_error(None, ValidationError(_("This form has expired. Start again."), code="token_mismatch"))
        else:
            try:
                booking = _book(request, wizard)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # The wizard stays in the session (the oldest are dropped): a repeated POST finds
                # its booking by the token, and not saving the session spares the rush's hottest
                # request a second transaction.
                return redirect(f"{reverse('queueing:booking_detail', args=[booking.code])}?baru=1")
    return _confirm_page(request, wid, form=form)


def _book(request: HttpRequest, wizard: Wizard) -> Booking:
    data = wizard.data
    return services.booking_create(
        account=request.user, patient_id=data["patient"], schedule_id=data["schedule"],
        date=dt.date.fromisoformat(data["date"]), guarantor_id=data["guarantor"], token=wizard.token,
        card_number=data.get("card_number", ""), referral_number=data.get("referral_number", ""))


@_wizard_view("confirm")
def _confirm_page(request: HttpRequest, state: State, form: ConfirmForm | None = None) -> HttpResponse:
    form = form or ConfirmForm(initial={"token": state.wizard.token})
    return _render_step(request, state, "confirm", form, documents=state.guarantor.required_documents or [])


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
    """The result page after confirming, and the booking's page in 'My bookings'."""
    booking = _booking_or_404(request, code)
    cfg = BookingSettings.current()
    context = {"booking": booking, "new": request.GET.get("baru") == "1",
               "cancellable": services.can_cancel(booking, cfg),
               "cancel_deadline": services.cancel_deadline(booking, cfg),
               "can_rebook": booking.status in (BookingStatus.REJECTED, BookingStatus.CANCELLED) or booking.affected,
               "documents": booking.guarantor.required_documents or [],
               "pdf_url": _slip_pdf_url(booking)}
    return render(request, "queueing/booking_detail.html", context)


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
        required_documents=tuple(booking.guarantor.required_documents or ()), booking_code=booking.code)


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
                  {"booking": booking, "documents": booking.guarantor.required_documents or [],
                   "date_text": long_date(booking.date), "printed_at": timezone.localtime()})

