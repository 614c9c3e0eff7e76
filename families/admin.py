"""Clerk-facing admin for the patient index: search, assign MRNs, see flagged NIKs."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, default_facility
from facilities.scope import FacilityScopedAdmin, scope_for_staff, staff_facility_ids
from facilities.selectors import facilities_for, is_multi_facility
from families import services
from families.models import (
    AccessWhat,
    AccountPatient,
    IdentityDocument,
    LinkLog,
    Patient,
    PatientAccessLog,
    PatientRecord,
)
from families.selectors import mrn_query, patients_for_staff
from families.validators import (
    format_mrn,
    normalize_mrn,
    validate_birth_date,
    validate_kk,
    validate_nik,
)
from guarantors.validators import validate_card_number
from portal.lib.admin_paging import CappedCountAdmin
from portal.lib.dates import parse_date


class PatientAdminForm(forms.ModelForm):
    """Same formats as the patient pages. Medical record numbers are edited in the records inline."""

    class Meta:
        model = Patient
        fields = "__all__"  # the fieldsets leave out `mrn`, the mirror the default facility's record writes

    def clean_nik(self) -> str:
        value = self.cleaned_data.get("nik", "")
        if not value:
            return ""
        nik = validate_nik(value)
        if Patient.objects.filter(nik=nik).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another patient already has this NIK."), code="nik_exists")
        return nik

    def clean_kk_number(self) -> str:
        value = self.cleaned_data.get("kk_number", "")
        return validate_kk(value) if value else ""

    def clean_bpjs_number(self) -> str:
        value = self.cleaned_data.get("bpjs_number", "")
        return validate_card_number(value) if value else ""

    def clean_birth_date(self) -> dt.date:
        return validate_birth_date(self.cleaned_data["birth_date"])


class PatientRecordForm(forms.ModelForm):
    """A number typed from a facility's paper card, normalised to that facility's width."""

    class Meta:
        model = PatientRecord
        fields = ("facility", "mrn")

    def clean(self) -> dict:
        cleaned = super().clean()
        facility, raw = cleaned.get("facility"), cleaned.get("mrn")
        if facility is not None and raw:
            try:
                cleaned["mrn"] = self.instance.mrn = normalize_mrn(raw, facility)
            except ValidationError as exc:
                self.add_error("mrn", exc)
        return cleaned


class PatientRecordInline(admin.TabularInline):
    """The patient's medical record numbers at the clerk's facilities (another facility's are not shown).

    A new number comes from the facility's counter (the action "Give a medical record number");
    here a clerk types one from an old paper card or corrects a typing error.
    """

    model = PatientRecord
    form = PatientRecordForm
    extra = 0
    fields = ("facility", "mrn", "created_at")
    readonly_fields = ("created_at",)
    can_delete = False  # the medical-record register is kept for years
    verbose_name_plural = _("medical record numbers at your facilities")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_for_staff(super().get_queryset(request), request.user, "facility").select_related("facility")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "facility":
            kwargs["queryset"] = scope_for_staff(Facility.objects.all(), request.user, "pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AccountPatientInline(admin.TabularInline):
    model = AccountPatient
    extra = 0
    fields = ("account", "relationship", "created_at", "verified_at", "verify_link")
    readonly_fields = ("account", "created_at", "verified_at", "verify_link")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("verification"))
    def verify_link(self, obj: AccountPatient) -> str:
        if obj.pk is None or obj.is_verified:
            return "—"
        url = reverse("admin:families_accountpatient_changelist") + f"?patient__id__exact={obj.patient_id}"
        return format_html('<a href="{}">{}</a>', url, _("verify (ID card seen)"))


class LinkVerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(verified_at__isnull=self.value() == "no")
        return queryset


@admin.register(AccountPatient)
class AccountPatientAdmin(admin.ModelAdmin):
    """Family links: the clerk verifies one after seeing the ID card at the counter (logged)."""

    list_display = ("patient", "account", "relationship", "created_at", "verified_at", "verified_by")
    list_filter = (LinkVerifiedFilter, "patient__unverified_changes", "patient__link_disputed")
    search_fields = ("account__email", "patient__records__mrn")
    list_select_related = ("patient", "account", "verified_by")
    readonly_fields = ("account", "patient", "relationship", "created_at", "verified_at", "verified_by")
    actions = ("verify_links",)
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_verify_permission(self, request: HttpRequest) -> bool:
        # The clerks who may correct a patient's record (they hold the ID card in their hands).
        return request.user.is_active and request.user.has_perm("families.change_patient")

    @admin.action(description=_("Verify the selected links (ID card seen at the counter)"), permissions=["verify"])
    def verify_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for link in queryset.filter(verified_at__isnull=True):
            services.link_verify(link=link, actor=request.user, how="ID card seen at the counter")
            count += 1
        self.message_user(request, _("%(n)s link(s) verified.") % {"n": count})


class IdentityDocumentInline(admin.TabularInline):
    model = IdentityDocument
    extra = 0
    fields = ("kind", "content_type", "size", "uploaded_at", "open_link")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("file"))
    def open_link(self, obj: IdentityDocument) -> str:
        # Through the checked view (which logs the view), never a storage URL.
        url = reverse("families:document_view", kwargs={"document_id": obj.pk})
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("open"))


@admin.register(Patient)
class PatientAdmin(FacilityScopedAdmin, CappedCountAdmin, admin.ModelAdmin):
    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return patients_for_staff(request.user, queryset)  # patients of the clerk's facilities

    form = PatientAdminForm
    list_display = (
        "full_name",
        "mrn_display",
        "masked_nik",
        "birth_date",
        "sex",
        "nik_mismatch",
        "link_disputed",
        "unverified_changes",
        "updated_at",
    )
    list_filter = ("nik_mismatch", "link_disputed", "unverified_changes", "sex")
    # A clerk looks for one person: 50 rows is more than a screen, and each listed row is rendered
    # and written to the access log (UU PDP), so a common name costs half of Django's default 100.
    list_per_page = 50
    search_fields = ("full_name",)
    search_help_text = _("Medical record number, NIK, name, or date of birth (dd/mm/yyyy).")
    readonly_fields = ("id", "created_at", "updated_at")
    inlines = (PatientRecordInline, AccountPatientInline, IdentityDocumentInline)
    actions = ("give_mrn",)
    ordering = ("full_name",)
    fieldsets = (
        (
            None,
            {"fields": ("full_name", "nik", "kk_number", "nik_mismatch", "link_disputed", "unverified_changes")},
        ),
        (_("Birth"), {"fields": ("sex", "birth_place", "birth_date", "mother_name")}),
        (
            _("Address"),
            {
                "fields": (
                    "address_street",
                    ("address_rt", "address_rw"),
                    "address_village",
                    "address_district",
                    "address_regency",
                    "address_province",
                )
            },
        ),
        (
            _("Other data"),
            {"fields": ("phone", "religion", "blood_type", "marital_status", "education", "occupation", "bpjs_number")},
        ),
        (_("Record"), {"fields": ("id", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        records = scope_for_staff(PatientRecord.objects.select_related("facility"), request.user, "facility")
        return super().get_queryset(request).prefetch_related(Prefetch("records", records, to_attr="records_here"))

    @admin.display(description=_("medical record number"))
    def mrn_display(self, obj: Patient) -> str:
        """The numbers at the clerk's facilities (with the facility's name once there are several)."""
        records = getattr(obj, "records_here", [])
        if not is_multi_facility():
            return ", ".join(format_mrn(r.mrn) for r in records) or "—"
        return format_html_join(", ", "{} {}", ((r.facility.name, format_mrn(r.mrn)) for r in records)) or "—"

    @admin.action(description=_("Give a medical record number at your facility"), permissions=["change"])
    def give_mrn(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The next number of the clerk's facility's counter for each selected patient who has none there."""
        facility = facilities_for(request.user).order_by("sort_order", "name", "pk").first()
        if facility is None:
            facility = default_facility() if staff_facility_ids(request.user) != [] else None
        if facility is None:
            self.message_user(request, _("You work at no facility."), messages.ERROR)
            return
        given = []
        for patient in queryset.order_by("pk"):
            if patient.mrn_at(facility.pk) is None:
                record = services.patient_record_allocate(patient=patient, facility=facility)
                given.append(f"{patient.full_name} {format_mrn(record.mrn)}")
        self.message_user(
            request,
            _("Medical record numbers of %(facility)s given: %(list)s.")
            % {"facility": facility.name, "list": "; ".join(given) or "—"},
        )

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj: Patient) -> str:
        return obj.masked_nik

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """Exact matches on MRN, NIK and birth date (indexed); the name by substring."""
        term = search_term.strip()
        if not term:
            return queryset, False
        exact = Q()
        digits = term.replace("-", "").replace(" ", "").replace(".", "")
        if digits.isascii() and digits.isdigit():
            if len(digits) == 16:
                exact |= Q(nik=digits) | Q(kk_number=digits)
            exact |= mrn_query(digits, staff_facility_ids(request.user))
        birth_date = parse_date(term)
        if birth_date is not None:
            exact |= Q(birth_date=birth_date)
        if exact:
            return queryset.filter(exact), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # The index is the medical-record register (kept for years): clerks correct, never delete.
        return request.user.is_active and request.user.is_superuser

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """A search is a clerk looking someone up: log each patient on the page of results."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if changelist is not None and changelist.query:
            services.access_log_many(request.user, list(changelist.result_list), AccessWhat.PATIENT_SEARCH)
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        if request.method == "GET":
            patient = self.get_object(request, object_id)
            if patient is not None:
                services.access_log(request.user, patient, AccessWhat.PATIENT_RECORD)
        return super().change_view(request, object_id, form_url, extra_context)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Read-only audit trails: superusers may read, nobody may edit or delete."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PatientAccessLog)
class PatientAccessLogAdmin(SuperuserOnlyAdmin):
    list_display = ("at", "user", "patient", "what", "detail")
    list_filter = ("what",)
    search_fields = ("user__email", "patient__records__mrn")
    list_select_related = ("user", "patient")
    date_hierarchy = "at"


@admin.register(LinkLog)
class LinkLogAdmin(SuperuserOnlyAdmin):
    list_display = ("at", "action", "account", "patient", "relationship", "actor", "note")
    list_filter = ("action",)
    search_fields = ("account__email", "patient__records__mrn")
    list_select_related = ("account", "patient", "actor")
    date_hierarchy = "at"
