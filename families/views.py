"""Family member pages (SOP 000 E-H): thin views over forms, selectors and services."""

from __future__ import annotations

import time
import uuid

from axes.helpers import get_client_ip_address
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.phone import format_mobile
from facilities.selectors import is_multi_facility
from families import link_mail, selectors, services
from families.forms import (
    PATIENT_FIELDS,
    DocumentUploadForm,
    ExistingConfirmForm,
    ExistingLookupForm,
    MemberEditForm,
    NewMemberForm,
)
from families.models import AccessWhat, AccountPatient, DocumentKind, Patient
from families.panels import dashboard_panels
from families.validators import format_mrn
from portal.lib.private_files import serve_private_file

# The patient found by MRN + birth date waits in the session, never in a form field the
# person could change, until they confirm; it expires so a shared phone does not keep it.
FOUND_SESSION_KEY = "families.found_patient"
FOUND_TTL_SECONDS = 15 * 60


def client_ip(request: HttpRequest) -> str:
    """The address the per-IP look-up throttle counts (behind a proxy, as django-axes resolves it)."""
    return get_client_ip_address(request) or ""


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's error under its field when the form has that field, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """The account's home: its family members, and panels other apps register (extra_panels)."""
    context = {
        "members": selectors.members_for(request.user),
        "multi_facility": is_multi_facility(),
        "extra_panels": dashboard_panels(request),
    }
    return render(request, "families/dashboard.html", context)


@login_required
@never_cache
def member_add_new(request: HttpRequest) -> HttpResponse:
    account = request.user
    has_self = selectors.self_link(account) is not None
    initial = {"phone": format_mobile(account.phone)} if has_self else selectors.initial_from_account(account)
    form = NewMemberForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.member_add_new(
                account=account,
                relationship=form.cleaned_data["relationship"],
                nik_mismatch=form.cleaned_data["nik_mismatch"],
                client_ip=client_ip(request),
                **form.patient_values(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s has been added to your account.") % {"name": link.patient.full_name})
            return redirect("dashboard")
    return render(request, "families/member_add.html", {"form": form, "tab": "new"})


@login_required
@never_cache
def member_add_existing(request: HttpRequest) -> HttpResponse:
    form = ExistingLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_find_by_mrn(
                account=request.user, client_ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if selectors.is_linked(request.user, patient):
                messages.info(request, _("This patient is already a member of your account."))
                return redirect("dashboard")
            request.session[FOUND_SESSION_KEY] = {"patient": str(patient.pk), "until": time.time() + FOUND_TTL_SECONDS}
            return redirect("families:member_add_existing_confirm")
    return render(
        request,
        "families/member_add.html",
        {"form": form, "tab": "existing", "email_unconfirmed": not request.user.email_confirmed},
    )


def _found_patient(request: HttpRequest) -> Patient | None:
    found = request.session.get(FOUND_SESSION_KEY) or {}
    if found.get("until", 0) < time.time():
        return None
    return Patient.objects.filter(pk=found.get("patient")).first()


@login_required
@never_cache
def member_add_existing_confirm(request: HttpRequest) -> HttpResponse:
    patient = _found_patient(request)
    if patient is None:
        messages.warning(request, _("Search for the patient again with the medical record number and date of birth."))
        return redirect("families:member_add_existing")
    masked_name = patient.masked_name
    form = ExistingConfirmForm(request.POST or None, account=request.user, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.member_link_existing(
                account=request.user,
                patient_id=patient.pk,
                relationship=form.cleaned_data["relationship"],
                nik_mismatch=form.cleaned_data["nik_mismatch"],
                client_ip=client_ip(request),
                **form.patient_values(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            request.session.pop(FOUND_SESSION_KEY, None)
            messages.success(request, _("%(name)s has been added to your account.") % {"name": link.patient.full_name})
            if not link.is_verified:
                messages.info(
                    request,
                    _(
                        "Until the link is verified (at the registration counter with the ID card, or "
                        "by the patient's other account holder) the data are shown masked."
                    ),
                )
            return redirect("dashboard")
    return render(request, "families/member_existing_confirm.html", {"form": form, "masked_name": masked_name})


def _edit_page(
    request: HttpRequest, link: AccountPatient, *, name: str, form=None, check_form=None, upload_form=None
) -> HttpResponse:
    documents = selectors.documents_by_kind(link.patient)
    access = selectors.MemberAccess(link)
    context = {
        "link": link,
        "member_name": name,
        "records": selectors.member_records(link.patient),
        "multi_facility": is_multi_facility(),
        "access": access,
        "form": form or MemberEditForm(account=request.user, link=link),
        "check_form": check_form or ExistingLookupForm(prefix="cek"),
        "upload_form": upload_form or DocumentUploadForm(prefix="doc", kinds=_upload_kinds(access, documents)),
        "documents": [(kind, label, documents.get(kind)) for kind, label in DocumentKind.choices],
        "summary": [] if access.verified else selectors.masked_summary(link.patient, PATIENT_FIELDS),
    }
    return render(request, "families/member_edit.html", context)


def _upload_kinds(access: selectors.MemberAccess, documents: dict) -> list[str] | None:
    """Which kinds the upload form offers: all, or only the missing ones for an unverified link."""
    if access.verified:
        return None
    return [kind for kind in DocumentKind.values if access.may_upload(kind, set(documents))]


@login_required
@never_cache
def member_edit(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    link = selectors.member_for(request.user, patient_id)
    name = link.patient.full_name
    form = MemberEditForm(request.POST or None, account=request.user, link=link)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                account=request.user,
                link=link,
                relationship=form.cleaned_data["relationship"],
                nik_mismatch=form.cleaned_data["nik_mismatch"],
                client_ip=client_ip(request),
                **form.patient_values(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The data of %(name)s have been saved.") % {"name": form.cleaned_data.get("full_name") or name},
            )
            return redirect("dashboard")
    return _edit_page(request, link, name=name, form=form)


@login_required
@never_cache
@require_POST
def member_check_mrn(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """SOP 000 H "Cek Nomor Rekam Medis": attach the hospital's MRN to a member added as new."""
    link = selectors.member_for(request.user, patient_id)
    check_form = ExistingLookupForm(request.POST, prefix="cek")
    if check_form.is_valid():
        try:
            patient = services.member_attach_mrn(
                account=request.user, link=link, client_ip=client_ip(request), **check_form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(check_form, exc)
        else:
            messages.success(
                request,
                _("Medical record number %(mrn)s is now attached to %(name)s.")
                % {
                    "mrn": format_mrn(patient.mrn_at(check_form.cleaned_data["facility"].pk)),
                    "name": patient.full_name,
                },
            )
            return redirect("families:member_edit", patient_id=patient.pk)
    return _edit_page(request, link, name=link.patient.full_name, check_form=check_form)


@login_required
@never_cache
@require_POST
def member_document_upload(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    link = selectors.member_for(request.user, patient_id)
    kinds = _upload_kinds(selectors.MemberAccess(link), selectors.documents_by_kind(link.patient))
    upload_form = DocumentUploadForm(request.POST, request.FILES, prefix="doc", kinds=kinds)
    if upload_form.is_valid():
        kind = upload_form.cleaned_data["kind"]
        try:
            services.document_store(
                actor=request.user, patient=link.patient, kind=kind, upload=upload_form.cleaned_data["file"], link=link
            )
        except ValidationError as exc:
            add_service_error(upload_form, exc)
        else:
            messages.success(request, _("%(document)s saved.") % {"document": DocumentKind(kind).label})
            return redirect(reverse("families:member_edit", kwargs={"patient_id": link.patient_id}) + "#dokumen")
    return _edit_page(request, link, name=link.patient.full_name, upload_form=upload_form)


@login_required
@never_cache
def member_remove(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    link = selectors.member_for(request.user, patient_id)
    if request.method == "POST":
        try:
            services.member_unlink(account=request.user, link=link)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request, _("%(name)s has been removed from your account.") % {"name": link.patient.full_name}
            )
        return redirect("dashboard")
    return render(request, "families/member_remove.html", {"link": link})


@login_required
@never_cache
@require_GET
def document_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """Serve a document to a linked account or to staff (logged); 404 for everyone else."""
    document = selectors.document_or_404(document_id)

    def log_view(user) -> None:
        if not selectors.verified_patients(user).filter(pk=document.patient_id).exists():  # read as staff
            services.access_log(user, document.patient, AccessWhat.IDENTITY_DOCUMENT, document.kind)

    return serve_private_file(
        request,
        document.file,
        content_type=document.content_type,
        name=document.kind,
        may_view=lambda user: selectors.may_view_document(user, document),
        log_view=log_view,
    )


# --- completing a member from inside another task (the booking) ------------------------------

ID_CARD_KINDS = (DocumentKind.KTP, DocumentKind.KK)


@login_required
@never_cache
def member_complete(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """Ask only for what a member still lacks (fields, a KTP/KK photo), then go back to `next` (the booking)."""
    link = selectors.member_for(request.user, patient_id)
    patient, back = link.patient, _safe_next(request)
    missing = patient.missing_fields
    needs_card = not patient.records.exists() and not any(
        kind in ID_CARD_KINDS for kind in selectors.documents_by_kind(patient)
    )
    form = _complete_form(request, link, missing)
    upload = _card_upload_form(request) if needs_card else None
    if request.method == "POST" and form.is_valid() and (upload is None or upload.is_valid()):
        try:
            if missing:
                services.member_update(
                    account=request.user,
                    link=link,
                    relationship=form.cleaned_data["relationship"],
                    nik_mismatch=form.cleaned_data["nik_mismatch"],
                    client_ip=client_ip(request),
                    **form.patient_values(),
                )
            if upload is not None:
                services.document_store(
                    actor=request.user,
                    patient=patient,
                    kind=upload.cleaned_data["kind"],
                    upload=upload.cleaned_data["file"],
                    link=link,
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The data of %(name)s have been saved.") % {"name": patient.full_name})
            return redirect(back)
    return render(
        request,
        "families/member_complete.html",
        {"link": link, "form": form, "missing": missing, "upload_form": upload, "back_url": back},
    )


def _complete_form(request: HttpRequest, link: AccountPatient, missing: list[str]) -> MemberEditForm:
    """The whole edit form, filled with what is saved plus what was typed: its checks and service are reused."""
    saved = MemberEditForm(account=request.user, link=link)
    if request.method != "POST":
        return saved
    data = {name: saved[name].value() for name in saved.fields if not saved.fields[name].disabled}
    data.update({name: request.POST.get(name, "") for name in missing})
    return MemberEditForm(data, account=request.user, link=link)


def _card_upload_form(request: HttpRequest) -> DocumentUploadForm:
    form = DocumentUploadForm(request.POST or None, request.FILES or None, prefix="doc")
    form.fields["kind"].choices = [(k.value, k.label) for k in ID_CARD_KINDS]
    return form


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A local path only: redirect() would take "12 34" for a view name (NoReverseMatch, a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard")


def _review_link(token: str) -> tuple[AccountPatient, int]:
    """The new link and the holder a review e-mail names; 404 for a bad, expired or spent token."""
    ids = link_mail.review_token_read(token)
    link = AccountPatient.objects.select_related("patient", "account").filter(pk=ids[0]).first() if ids else None
    if link is None:
        raise Http404
    return link, ids[1]


@never_cache
def link_review(request: HttpRequest, token: str) -> HttpResponse:
    """From the e-mail to existing holders: "Not my family" (one click, no sign-in) or approve (signed in)."""
    try:
        link, holder_id = _review_link(token)
        holder = selectors.verified_holders(link.patient, exclude_account=link.account).get(account_id=holder_id)
    except (Http404, AccountPatient.DoesNotExist):
        return render(request, "families/link_review_done.html", {"outcome": "gone"}, status=404)
    if request.method == "POST" and request.POST.get("action") == "dispute":
        services.link_dispute(link=link, holder=holder.account)
        return render(request, "families/link_review_done.html", {"outcome": "disputed"})
    if request.method == "POST" and request.POST.get("action") == "approve":
        if request.user.pk != holder_id:  # approving opens the data: only the holder, signed in
            return redirect_to_login(request.get_full_path())
        services.link_approve(link=link, holder=request.user)
        return render(request, "families/link_review_done.html", {"outcome": "approved"})
    context = {
        "patient_name": link.patient.full_name,
        "new_account": link.account.full_name,
        "linked_at": link.created_at,
        "verified": link.is_verified,
    }
    return render(request, "families/link_review.html", context)
