"""Public pages: what each guarantor needs (the same lists the booking page and slip show)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from guarantors import services


@require_GET
def guarantor_list(request: HttpRequest) -> HttpResponse:
    types = [(gtype, services.required_documents(gtype)) for gtype in services.active_guarantor_types()]
    return render(request, "guarantors/guarantortype_list.html", {"types": types})


@require_GET
def guarantor_documents(request: HttpRequest, code: str) -> JsonResponse:
    """For the booking page: refresh the checklist when the guarantor or clinic changes."""
    gtype = get_object_or_404(services.active_guarantor_types(), code=code)
    clinic = request.GET.get("clinic", "")[:20] or None
    return JsonResponse(
        {
            "code": gtype.code,
            "name": gtype.name,
            "description": gtype.description,
            "needs_card_number": gtype.needs_card_number,
            "card_number_label": gtype.card_number_label,
            "needs_referral": gtype.needs_referral,
            "needs_letter_upload": services.letter_upload_needed(gtype, clinic),
            "documents": services.required_documents(gtype, clinic),
        }
    )
