"""'Ya, buat antrian': the confirm page and the one POST that books (the midnight rush's request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from guarantors import services as guarantor_services
from portal.lib.boost import follow
from queueing import selectors, services
from queueing.forms import ConfirmForm
from queueing.models import Booking
from queueing.views import rate_limit
from queueing.views.documents import attach_letter, letter_kind
from queueing.views.wizard import (
    State,
    back_to_guarantor,
    eligibility,
    lost_wizard,
    readable_check,
    render_step,
    resolve_state,
    wizard_view,
)
from queueing.wizard import Wizard


@never_cache
@login_required
def wizard_confirm(request: HttpRequest, wid: str) -> HttpResponse:
    """'Ya, buat antrian': the one POST that books.

    The POST goes straight to the service, which loads and checks every answer itself; the
    summary is only rebuilt when the page must be shown again with an error. This keeps the
    request that a midnight rush hammers down to about a dozen queries: the BPJS answer was
    obtained when the confirm page was shown and is kept in the wizard. Each account may post
    a limited number of confirmations per minute (`rate_limit`); a repeat of one that already
    booked is never refused.
    """
    if request.method != "POST":
        return _confirm_page(request, wid)
    if not rate_limit.confirm_allowed(request.user):
        return _over_limit(request, wid)
    wizard = Wizard.load(request.session, wid)
    if wizard is None:
        return lost_wizard(request, wid)
    if wizard.first_missing_step() != "confirm":
        return follow(request, f"queueing:wizard_{wizard.first_missing_step()}", wid=wid)
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
                attach_letter(request, booking, form)
                # The wizard stays in the session (the oldest are dropped): a repeated POST finds
                # its booking by the token, and not saving the session spares the rush's hottest
                # request a second transaction.
                return _booked(request, booking)
    return _confirm_page(request, wid, form=form)


def _booked(request: HttpRequest, booking: Booking) -> HttpResponse:
    return follow(request, f"{reverse('queueing:booking_detail', args=[booking.code])}?baru=1")


def _over_limit(request: HttpRequest, wid: str) -> HttpResponse:
    """429, unless this wizard already booked: a double click over the limit still gets its booking."""
    done = Booking.objects.filter(confirm_token=wid, account=request.user).only("code").first()
    if done:
        return _booked(request, done)
    allowed, window = rate_limit.confirm_limit()
    response = render(
        request,
        "queueing/confirm_limited.html",
        {"wizard_id": wid, "allowed": allowed, "minutes": max(1, round(window / 60))},
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


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
    state = resolve_state(request, wizard, "confirm")
    if state.problems:
        for problem in state.problems:
            messages.warning(request, problem)
        return follow(request, f"queueing:wizard_{wizard.first_missing_step()}", wid=wizard.id)
    return eligibility(state) or back_to_guarantor(request, state)


def _book(request: HttpRequest, wizard: Wizard, check: dict[str, Any]) -> Booking:
    data = wizard.data
    return services.booking_create(
        account=request.user,
        patient_id=data["patient"],
        schedule_id=data["schedule"],
        date=dt.date.fromisoformat(data["date"]),
        guarantor_id=data["guarantor"],
        token=wizard.token,
        card_number=data.get("card_number", ""),
        referral_number=data.get("referral_number", ""),
        guarantor_verified=check["verified"],
        guarantor_check=check["check"],
        guarantor_switched_from_id=data.get("switched_from"),
    )


@wizard_view("confirm")
def _confirm_page(request: HttpRequest, state: State, form: ConfirmForm | None = None) -> HttpResponse:
    check = eligibility(state)  # asked here, where the clinic is known, before the person confirms
    if check is None:
        return back_to_guarantor(request, state)
    form = form or ConfirmForm(initial={"token": state.wizard.token, "document_kind": letter_kind(state.guarantor)})
    clinic_code = state.clinic.code
    return render_step(
        request,
        state,
        "confirm",
        form,
        check=readable_check(check["check"]),
        documents=guarantor_services.required_documents(state.guarantor, clinic_code),
        letter_needed=guarantor_services.letter_upload_needed(state.guarantor, clinic_code),
        switched_from=state.switched_from,
    )
