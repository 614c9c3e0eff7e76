"""A facility's Mobile JKN bridge: its BPJS credentials (WS BPJS) and its WS RS login (Mobile JKN calls us).

Declared here and imported by queueing/models.py, so Django sees it as a queueing model.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from facilities.models import Facility, FacilityKind
from families.fields import EncryptedCharField

# BPJS's Antrean RS (FKRTL) services are for hospitals; a puskesmas uses the FKTP variant (later work).
BRIDGE_KINDS: tuple[str, ...] = (FacilityKind.RSUD,)


class AntreanBridge(models.Model):
    """One facility's bridge to BPJS Antrean: credentials encrypted at rest (FIELD_ENCRYPTION_KEYS), never in code.

    `ws_username` says which facility a Mobile JKN call is for (each facility registers the same
    WS RS address at BPJS with its own user); `ws_password` is a Django password hash, compared in
    constant time by `check_password`.
    """

    facility = models.OneToOneField(
        Facility, on_delete=models.PROTECT, related_name="antrean_bridge", verbose_name=_("facility")
    )
    enabled = models.BooleanField(
        _("enabled"), default=False, help_text=_("Mobile JKN may book at this facility and BPJS hears of every queue.")
    )
    # WS BPJS: what BPJS gave this facility (the same three values as for VClaim).
    cons_id = EncryptedCharField(_("BPJS consumer id (cons-id)"), max_length=32, blank=True)
    secret_key = EncryptedCharField(_("BPJS secret key"), max_length=128, blank=True)
    user_key = EncryptedCharField(_("BPJS user key (Antrean RS)"), max_length=128, blank=True)
    base_url = models.URLField(
        _("WS BPJS address"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. https://apijkn.bpjs-kesehatan.go.id/antreanrs (development: "
            "https://apijkn-dev.bpjs-kesehatan.go.id/antreanrs_dev). Empty: the local simulator (development only)."
        ),
    )
    # WS RS: the login Mobile JKN sends as x-username / x-password.
    ws_username = models.CharField(_("WS RS user name"), max_length=64, blank=True)
    ws_password = models.CharField(_("WS RS password (hash)"), max_length=256, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "queueing"
        ordering = ["facility__sort_order", "facility__name"]
        verbose_name = _("Mobile JKN bridge")
        verbose_name_plural = _("Mobile JKN bridges")
        constraints = [
            models.UniqueConstraint(
                fields=["ws_username"],
                condition=~Q(ws_username=""),
                name="queueing_antreanbridge_ws_username_unique",
                violation_error_code="ws_username_taken",
                violation_error_message=_("Another facility already uses this WS RS user name."),
            ),
            models.CheckConstraint(
                condition=Q(enabled=False) | (~Q(ws_username="") & ~Q(ws_password="")),
                name="queueing_antreanbridge_enabled_has_login",
                violation_error_code="login_missing",
                violation_error_message=_("Set the WS RS user name and password before enabling the bridge."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Mobile JKN bridge: %(facility)s") % {"facility": self.facility})

    def clean(self) -> None:
        if self.enabled and self.facility_id and self.facility.kind not in BRIDGE_KINDS:
            raise ValidationError(
                {
                    "enabled": ValidationError(
                        _(
                            "Only hospitals (FKRTL) use the Antrean RS bridge; a %(kind)s needs BPJS's FKTP "
                            "variant, which is not available yet."
                        ),
                        code="kind_not_supported",
                        params={"kind": self.facility.get_kind_display()},
                    )
                }
            )

    def set_ws_password(self, raw: str) -> None:
        self.ws_password = make_password(raw)

    def check_ws_password(self, raw: str) -> bool:
        """Constant-time, through Django's hashers; an empty stored hash never matches."""
        if not self.ws_password:
            make_password(raw)  # the same work as a real check: no timing hint that the user has no password
            return False
        return check_password(raw, self.ws_password)

    @property
    def uses_simulator(self) -> bool:
        return not self.base_url
