"""A copy of the family's data and closing the account (UU 27/2022), from the profile page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal.privacy import services
from portal.privacy.forms import AccountCloseForm


@login_required
@never_cache
def data_export(request: HttpRequest) -> HttpResponse:
    """GET explains what the file holds; POST downloads it (never a link a crawler or prefetch could follow)."""
    if request.method != "POST":
        return render(request, "privacy/data_export.html")
    data = services.account_data_export(account=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="antrean-data-{timezone.localdate():%Y%m%d}.json"'
    return response


@login_required
@never_cache
def account_close(request: HttpRequest) -> HttpResponse:
    form = AccountCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_close(account=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            messages.success(
                request, _("Your account is closed. The hospital keeps your medical records as the law requires.")
            )
            return redirect("home")
    return render(request, "privacy/account_close.html", {"form": form})
