"""Test-only URLs: GuarantorFieldsForm on a page, as the booking page will embed it."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from guarantors.forms import GuarantorContext, GuarantorFieldsForm

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}'
    '{% include "_form_card.html" with heading="BPJS" submit="OK" %}'
    '{% if result %}<p id="result">{{ result }}</p>{% endif %}{% endblock %}'
)


def guarantor_form_page(request: HttpRequest) -> HttpResponse:
    context = GuarantorContext(
        full_name="Budi Santoso", birth_date=date(1985, 4, 12), clinic_bpjs_code="INT", exam_date=timezone.localdate()
    )
    form = GuarantorFieldsForm(request.POST or None, context=context)
    result = form.eligibility.status if request.method == "POST" and form.is_valid() else ""
    return HttpResponse(PAGE.render({"form": form, "result": result}, request))


urlpatterns = [
    path("uji-penjamin/", guarantor_form_page),
    path("", include("portal.urls")),
]
