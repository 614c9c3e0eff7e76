"""My bookings: the list, a booking's page (the result page after confirming), cancel, print, PDF slip."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from facilities.selectors import is_multi_facility
from guarantors import services as guarantor_services
from portal.lib.dates import long_date
from queueing import selectors, services, slips
from queueing.models import Booking, BookingStatus
from queueing.views.documents import letter_upload_form


@never_cache
@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.upcoming_and_past(request.user)
    for booking in upcoming:
        booking.cancellable = services.can_cancel(booking, selectors.settings_for(booking))
    return render(
        request,
        "queueing/booking_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "other_queues": selectors.other_queues_for(request.user),
            "show_facility": is_multi_facility(),
        },
    )


def _booking_or_404(request: HttpRequest, code: str) -> Booking:
    return get_object_or_404(selectors.bookings_for(request.user), code=code.upper())


@never_cache
@login_required
def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The result page after confirming, and the booking's page in 'My bookings' (where a letter can be added)."""
    booking = _booking_or_404(request, code)
    letter_form = letter_upload_form(booking, request.POST or None, request.FILES or None)
    if request.method == "POST":
        if letter_form is not None and letter_form.is_valid():
            try:
                services.booking_document_add(
                    booking=booking,
                    kind=letter_form.cleaned_data["kind"],
                    upload=letter_form.cleaned_data["document"],
                    actor=request.user,
                )
            except ValidationError as exc:  # e.g. the storage did not take the file
                letter_form.add_error("document", exc)
            else:
                messages.success(request, _("Thank you, the letter has been saved with your booking."))
                return redirect("queueing:booking_detail", code=booking.code)
        if letter_form is None:
            return HttpResponse(status=405)
    cfg = selectors.settings_for(booking)
    context = {
        "booking": booking,
        "new": request.GET.get("baru") == "1",
        "cancellable": services.can_cancel(booking, cfg),
        "cancel_deadline": services.cancel_deadline(booking, cfg),
        "can_rebook": booking.status in (BookingStatus.REJECTED, BookingStatus.CANCELLED) or booking.affected,
        "documents": guarantor_services.required_documents(booking.guarantor, booking.clinic.code),
        "letters": selectors.booking_documents(booking),
        "letter_form": letter_form,
        "pdf_url": _slip_pdf_url(booking),
        "printable": selectors.slip_printable(booking),
    }
    return render(request, "queueing/booking_detail.html", context, status=400 if request.method == "POST" else 200)


def _slip_pdf_url(booking: Booking) -> str:
    return reverse("queueing:booking_slip_pdf", args=[booking.code])


@never_cache
@login_required
def booking_slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF slip; `?format=thermal` for an 80 mm roll, A6 on A4 otherwise."""
    booking = _booking_or_404(request, code)
    if not selectors.slip_printable(booking):
        messages.info(request, _("The slip can be printed once your request is verified."))
        return redirect("queueing:booking_detail", code=booking.code)
    fmt = request.GET.get("format")
    pdf = slips.render_slip(selectors.slip_data(booking), fmt if fmt in slips.FORMATS else "a6")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="antrian-{booking.code}.pdf"'
    return response


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
    return render(
        request, "queueing/booking_cancel.html", {"booking": booking, "error": error}, status=400 if error else 200
    )


@never_cache
@login_required
def booking_print(request: HttpRequest, code: str) -> HttpResponse:
    """A printable slip (HTML with print CSS) until the PDF slip exists."""
    booking = _booking_or_404(request, code)
    if not selectors.slip_printable(booking):
        messages.info(request, _("The slip can be printed once your request is verified."))
        return redirect("queueing:booking_detail", code=booking.code)
    facility = selectors.settings_for(booking).facility
    return render(
        request,
        "queueing/booking_print.html",
        {
            "booking": booking,
            "documents": guarantor_services.required_documents(booking.guarantor, booking.clinic.code),
            "date_text": long_date(booking.date),
            "facility": facility,
            "printed_at": facility.local_now(),
        },
    )
