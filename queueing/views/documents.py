"""Letters sent with a booking (referral letter, SKD, guarantee letter): upload helpers and the serving view."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from families import services as family_services
from families.models import AccessWhat
from guarantors import services as guarantor_services
from guarantors.models import DocumentKind, GuarantorKind, GuarantorType
from portal.lib.private_files import serve_private_file
from queueing import selectors, services
from queueing.forms import ConfirmForm, DocumentUploadForm
from queueing.models import CANCELLABLE_STATUSES, Booking


def letter_kind(guarantor: GuarantorType) -> str:
    """Which letter a patient most likely has for this guarantor (they can choose another)."""
    if guarantor.kind in (GuarantorKind.BPJS_KESEHATAN, GuarantorKind.BPJS_KETENAGAKERJAAN):
        return DocumentKind.REFERRAL_LETTER
    if guarantor.kind == GuarantorKind.SELF_PAY:
        return DocumentKind.DOCTOR_LETTER
    return DocumentKind.GUARANTEE_LETTER


def letter_upload_form(booking: Booking, data, files) -> DocumentUploadForm | None:
    """Where the guarantor or clinic asks for a letter, it can still be sent while the booking holds a place."""
    if booking.status not in CANCELLABLE_STATUSES or booking.date < selectors.booking_today(booking):
        return None
    if not guarantor_services.letter_upload_needed(booking.guarantor, booking.clinic.code):
        return None
    return DocumentUploadForm(data, files, initial={"kind": letter_kind(booking.guarantor)})


def attach_letter(request: HttpRequest, booking: Booking, form: ConfirmForm) -> None:
    """The booking is made; a letter that cannot be stored is asked for again on the booking's page."""
    upload = form.cleaned_data.get("document")
    if not upload:
        return
    try:
        services.booking_document_add(
            booking=booking, kind=form.cleaned_data["document_kind"], upload=upload, actor=request.user
        )
    except (ValidationError, OSError):
        messages.warning(
            request,
            _(
                "Your queue is booked, but the letter could not be saved. Please send it "
                "again on this page, or bring it with you."
            ),
        )


@never_cache
@login_required
@require_GET
def booking_document(request: HttpRequest, code: str, document_id: uuid.UUID) -> HttpResponse:
    """A letter sent with a booking: the booking's account holders and staff only; 404 for anyone else."""
    document = selectors.booking_document_or_404(code, document_id)

    def log_view(user) -> None:
        if selectors.staff_may_view_letters(user):
            family_services.access_log(user, document.booking.patient, AccessWhat.BOOKING_LETTER, document.kind)

    return serve_private_file(
        request,
        document.file,
        content_type=document.content_type,
        name=document.kind,
        may_view=lambda user: selectors.may_view_booking_document(user, document),
        log_view=log_view,
    )
