"""The reports app keeps no rows of its own: its one model only carries the report permission."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutpatientReport(models.Model):
    """No table: the holder of `reports.view_outpatient_report` for staff who are not clerks (a head of unit)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_outpatient_report", _("Can view the monthly outpatient report of their facilities"))]
        verbose_name = _("outpatient report")
        verbose_name_plural = _("outpatient reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
