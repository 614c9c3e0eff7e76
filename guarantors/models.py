"""Guarantor (payer) types as data: what each needs from the patient (seed 004)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GuarantorType(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    needs_card_number = models.BooleanField(_("needs a card number"), default=False)
    card_number_label = models.CharField(_("card number label"), max_length=60, blank=True)
    card_number_pattern = models.CharField(
        _("card number pattern"), max_length=100, blank=True, help_text=_("A regular expression, e.g. ^[0-9]{13}$")
    )
    needs_referral = models.BooleanField(_("needs a referral"), default=False)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("guarantor type")
        verbose_name_plural = _("guarantor types")

    def __str__(self) -> str:
        return self.name
