"""Demo accounts for `manage.py loaddemo` (listed in README)."""

from __future__ import annotations

from django.utils import timezone

from accounts.consent import CONSENT_VERSION
from accounts.models import User

DEMO_PATIENT_EMAIL = "pasien@antrean.local"
DEMO_CLERK_EMAIL = "petugas@antrean.local"
DEMO_PUSKESMAS_CLERK_EMAIL = "petugas.puskesmas@antrean.local"
DEMO_ADMIN_EMAIL = "admin@antrean.local"
# The city's health office (Dinas Kesehatan): figures of both demo facilities, never a patient.
DEMO_HEALTH_OFFICE_EMAIL = "dinas@antrean.local"
DEMO_KIOSK_EMAIL = "kiosk@antrean.local"  # the RSUD's kiosk device (visitday.demo puts it in "Anjungan")
DEMO_NURSE_EMAIL = "perawat@antrean.local"  # a nurse at the RSUD's clinics (visitday.demo: "Perawat Poli")
DEMO_SCREEN_EMAIL = "layar@antrean.local"  # the RSUD's waiting-room TV (visitday.demo: "Layar Antrean")
DEMO_PASSWORD = "antrean-demo-2026"

_PROFILE = dict(
    phone="+6281234567890",
    religion="islam",
    sex="L",
    education="s1",
    blood_type="O",
    marital_status="kawin",
    occupation="swasta",
)


def _ensure(email: str, full_name: str, **flags) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults=dict(
            full_name=full_name,
            email_confirmed_at=timezone.now(),
            consent_version=CONSENT_VERSION,
            consent_at=timezone.now(),
            **_PROFILE,
            **flags,
        ),
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def load() -> dict[str, User]:
    """Idempotent: running it twice leaves one of each account."""
    return {
        "patient": _ensure(DEMO_PATIENT_EMAIL, "Budi Santoso"),
        "clerk": _ensure(DEMO_CLERK_EMAIL, "Siti Petugas", is_staff=True),
        "puskesmas_clerk": _ensure(DEMO_PUSKESMAS_CLERK_EMAIL, "Made Petugas", is_staff=True),
        "admin": _ensure(DEMO_ADMIN_EMAIL, "Admin RSUD", is_staff=True, is_superuser=True),
        "health_office": _ensure(DEMO_HEALTH_OFFICE_EMAIL, "Dinas Kesehatan Kota"),
        "kiosk": _ensure(DEMO_KIOSK_EMAIL, "Anjungan RSUD"),
        "nurse": _ensure(DEMO_NURSE_EMAIL, "Wati Perawat"),
        "screen": _ensure(DEMO_SCREEN_EMAIL, "Layar Ruang Tunggu RSUD"),
    }
