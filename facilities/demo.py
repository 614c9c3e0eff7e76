"""Demo facilities for `manage.py loaddemo` (idempotent): the RSUD and a puskesmas in another time zone."""

from __future__ import annotations

from facilities.models import Facility, FacilityKind, FacilityTimeZone, default_facility

# Seed 001's puskesmas, in Bali: WITA, one hour ahead of the RSUD in Java.
PUSKESMAS_NAME = "Puskesmas IV Denpasar Selatan"
PUSKESMAS = {
    "kind": FacilityKind.PUSKESMAS,
    "bpjs_ppk_code": "17010401",
    "time_zone": FacilityTimeZone.WITA,
    "address": "Jl. Pulau Moyo No. 63, Pedungan, Denpasar Selatan, Bali",
    "phone": "(0361) 720491",
    "mrn_digits": 6,
    "sort_order": 1,
}


def load() -> dict[str, Facility]:
    """The deployment's first facility (the RSUD of the HOSPITAL_* settings) and the puskesmas."""
    rsud = default_facility()
    if not rsud.bpjs_ppk_code:
        Facility.objects.filter(pk=rsud.pk).update(bpjs_ppk_code="0902R001")
    puskesmas, _created = Facility.objects.get_or_create(name=PUSKESMAS_NAME, defaults=PUSKESMAS)
    return {"rsud": rsud, "puskesmas": puskesmas}
