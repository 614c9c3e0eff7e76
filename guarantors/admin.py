"""Admin for guarantor types: document checklists edited one per line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from guarantors.models import ClinicDocumentRule, GuarantorType


class DocumentLinesField(forms.CharField):
    """A JSON list of document names shown as a textarea, one name per line."""

    widget = forms.Textarea(attrs={"rows": 8, "cols": 80})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One document per line, as it should be printed on the slip."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or []) != self.to_python(data)


class GuarantorTypeForm(forms.ModelForm):
    required_documents = DocumentLinesField(label=_("required documents"))

    class Meta:
        model = GuarantorType
        fields = "__all__"


class ClinicDocumentRuleForm(forms.ModelForm):
    documents = DocumentLinesField(label=_("extra documents"))

    class Meta:
        model = ClinicDocumentRule
        fields = "__all__"


class ClinicDocumentRuleInline(admin.TabularInline):
    model = ClinicDocumentRule
    form = ClinicDocumentRuleForm
    extra = 0


@admin.register(GuarantorType)
class GuarantorTypeAdmin(admin.ModelAdmin):
    form = GuarantorTypeForm
    inlines = [ClinicDocumentRuleInline]
    list_display = (
        "name",
        "code",
        "kind",
        "needs_card_number",
        "needs_referral",
        "needs_letter_upload",
        "document_count",
        "is_active",
        "sort_order",
    )
    list_editable = ("is_active", "sort_order")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "description", "is_active", "sort_order")}),
        (
            _("Card and referral"),
            {"fields": ("needs_card_number", "card_number_label", "card_number_pattern", "needs_referral")},
        ),
        (_("Documents"), {"fields": ("required_documents", "needs_letter_upload")}),
    )

    @admin.display(description=_("documents"))
    def document_count(self, obj: GuarantorType) -> int:
        return len(obj.required_documents)

    def get_readonly_fields(self, request: Any, obj: GuarantorType | None = None) -> tuple[str, ...]:
        # Bookings and code refer to the code and kind: fixed once the type exists.
        return ("code", "kind") if obj else ()


@admin.register(ClinicDocumentRule)
class ClinicDocumentRuleAdmin(admin.ModelAdmin):
    form = ClinicDocumentRuleForm
    list_display = ("clinic_code", "guarantor_type", "needs_letter_upload", "is_active")
    list_filter = ("is_active", "guarantor_type")
    search_fields = ("clinic_code",)
