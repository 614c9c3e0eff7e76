"""The cashier's pages (/kasir/): find the visit, take or waive the fee, print the receipt, void, the day's recap."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cashier import receipts, selectors, services
from cashier.forms import LookupForm, PayForm, RecapForm, VoidForm, WaiveForm
from cashier.models import Payment
from facilities.models import Facility
from facilities.scope import staff_facility_ids
from families import services as family_services
from families.models import AccessWhat
from queueing.models import Booking

VIEW = "cashier.view_payment"
ADD = "cashier.add_payment"


def cashier_view(permission: str = VIEW) -> Callable:
    """Staff of a facility (else the admin login, or 404), with the cashier permission the page needs (else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if staff_facility_ids(request.user) == []:  # no facility of theirs: not found
                raise Http404
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(staff_member_required(check))

    return decorate


def _booking_or_404(code: str, user) -> Booking:
    booking = selectors.booking_by_code(code, user)
    if booking is None:
        raise Http404
    return booking


@cashier_view(ADD)
def home(request: HttpRequest) -> HttpResponse:
    """The scanner's field: a booking code opens the visit at once; a name lists today's visits."""
    form = LookupForm(request.GET or None)
    found: list[Booking] = []
    if form.is_valid():
        term = form.cleaned_data["q"]
        booking = selectors.booking_by_code(term, request.user)
        if booking is not None:
            return redirect("cashier:visit", code=booking.code)
        found = selectors.todays_visits_by_name(term, request.user)
        family_services.access_log_many(request.user, [b.patient for b in found], AccessWhat.PATIENT_SEARCH)
        if not found:
            form.add_error("q", ValidationError(_("No visit today has this booking code or name."), code="not_found"))
    return render(
        request,
        "cashier/home.html",
        {"form": LookupForm() if found else form, "found": found, "paid_ids": selectors.paid_booking_ids(found)},
    )


def _visit_context(request: HttpRequest, booking: Booking, **forms: Any) -> dict[str, Any]:
    no_identity = request.GET.get("tanpa_identitas") == "1" or request.POST.get("no_identity") in ("True", "on", "1")
    quote = selectors.quote_for(booking, no_identity=no_identity)
    initial = {"no_identity": no_identity, "expected_amount": quote.amount}
    payments = list(Payment.objects.filter(booking=booking).select_related("cashier", "voided_by"))
    payment = next((p for p in payments if not p.is_voided), None)
    return {
        "booking": booking,
        "quote": quote,
        "payment": payment,
        "payments": payments,
        "may_void": payment is not None and selectors.may_void(request.user, payment),
        "pay_form": forms.get("pay_form") or PayForm(initial=initial),
        "waive_form": forms.get("waive_form") or WaiveForm(initial=initial),
        "payable_status": booking.status in selectors.PAYABLE_STATUSES,
    }


@cashier_view(ADD)
def visit(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_or_404(code, request.user)
    family_services.access_log(request.user, booking.patient, AccessWhat.BOOKING, "cashier")
    return render(request, "cashier/visit.html", _visit_context(request, booking))


def _paid(request: HttpRequest, payment: Payment) -> HttpResponse:
    messages.success(
        request,
        _("Receipt %(receipt)s recorded for %(name)s.")
        % {"receipt": payment.receipt_label, "name": payment.booking.patient.full_name},
    )
    return redirect("cashier:visit", code=payment.booking.code)


def _refused(form: PayForm | WaiveForm, exc: ValidationError, booking: Booking) -> None:
    """The service's refusal above the form; a changed tariff also puts the new amount in the form."""
    form.add_error(None, exc)
    if getattr(exc, "code", None) == "amount_changed":
        quote = selectors.quote_for(booking, no_identity=form.cleaned_data.get("no_identity", False))
        form.data = form.data.copy()
        form.data["expected_amount"] = str(quote.amount)


@cashier_view(ADD)
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_or_404(code, request.user)
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            payment = services.payment_take(
                booking=booking,
                cashier=request.user,
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                no_identity=form.cleaned_data["no_identity"],
                expected_amount=form.cleaned_data["expected_amount"],
            )
        except ValidationError as exc:
            _refused(form, exc, booking)
        else:
            return _paid(request, payment)
    return render(request, "cashier/visit.html", _visit_context(request, booking, pay_form=form))


@cashier_view(ADD)
@require_POST
def waive(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_or_404(code, request.user)
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            payment = services.payment_waive(
                booking=booking,
                cashier=request.user,
                reason=form.cleaned_data["reason"],
                no_identity=form.cleaned_data["no_identity"],
                expected_amount=form.cleaned_data["expected_amount"],
            )
        except ValidationError as exc:
            _refused(form, exc, booking)
        else:
            return _paid(request, payment)
    return render(request, "cashier/visit.html", _visit_context(request, booking, waive_form=form))


def _payment_or_404(pk: int, user) -> Payment:
    return get_object_or_404(
        selectors.payments_for(user).select_related("booking__doctor", "booking__guarantor"), pk=pk
    )


@cashier_view(VIEW)
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The 80 mm receipt PDF, opened in the browser to print on the thermal printer."""
    payment = _payment_or_404(pk, request.user)
    pdf = receipts.render_receipt(receipts.receipt_data(payment))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="kwitansi-{payment.receipt_year}-{payment.receipt_number:06d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@cashier_view(VIEW)
@require_http_methods(["GET", "POST"])
def void(request: HttpRequest, pk: int) -> HttpResponse:
    """A cashier supervisor of the payment's facility voids it with a reason; anyone else gets 403."""
    payment = _payment_or_404(pk, request.user)
    if not selectors.may_void(request.user, payment):
        raise PermissionDenied
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_void(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Receipt %(receipt)s is voided.") % {"receipt": payment.receipt_label})
            return redirect("cashier:visit", code=payment.booking.code)
    return render(request, "cashier/void.html", {"payment": payment, "form": form})


@cashier_view(VIEW)
def recap(request: HttpRequest) -> HttpResponse:
    """The day's takings per cashier and method, for the facility's day; a print page."""
    ids = staff_facility_ids(request.user)
    facilities = Facility.objects.all() if ids is None else Facility.objects.filter(pk__in=ids)
    facilities = facilities.order_by("sort_order", "name", "pk")
    facility = facilities.first()
    if facility is None:
        raise Http404
    form = RecapForm(request.GET or None, initial={"date": facility.local_today()}, facilities=facilities)
    day, mine = facility.local_today(), False
    if form.is_valid():
        facility = form.cleaned_data["facility"] or facility
        day = form.cleaned_data["date"] or facility.local_today()
        mine = form.cleaned_data["mine"]
    data = selectors.daily_recap(facility, day, cashier=request.user if mine else None)
    return render(
        request,
        "cashier/recap.html",
        {"form": form, "recap": data, "mine": mine, "printed_at": facility.local_now()},
    )
