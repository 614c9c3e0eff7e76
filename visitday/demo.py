"""Demo visit day for `manage.py loaddemo` (idempotent): the RSUD's lines, counters and kiosk device."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from facilities import demo as facility_demo
from facilities.models import FacilityMembership, FacilityRole
from visitday.kiosk.access import KIOSK_GROUP
from visitday.models import LineSettings, Loket, TicketLine

# letter, name, priority, asks for the clinic
LINES = [
    ("A", "Pendaftaran Umum / Jaminan Lain", False, False),
    ("B", "Antrian BPJS", False, True),
    ("P", "Prioritas (Lansia, Disabilitas, Ibu Hamil)", True, False),
]
LOKETS = [("Loket 1", "AP"), ("Loket 2", "BP"), ("Loket 3", "ABP")]


def load() -> dict[str, int]:
    from accounts.demo import DEMO_KIOSK_EMAIL

    rsud = facility_demo.load()["rsud"]
    lines = {}
    for order, (letter, name, priority, asks_clinic) in enumerate(LINES):
        lines[letter], _created = TicketLine.objects.get_or_create(
            facility=rsud,
            letter=letter,
            defaults={"name": name, "priority": priority, "asks_clinic": asks_clinic, "sort_order": order},
        )
    for order, (name, letters) in enumerate(LOKETS):
        loket, created = Loket.objects.get_or_create(facility=rsud, name=name, defaults={"sort_order": order})
        if created:
            loket.lines.set([lines[letter] for letter in letters])
    LineSettings.objects.get_or_create(facility=rsud, defaults={"regular_per_priority": 3})
    kiosk = get_user_model().objects.filter(email=DEMO_KIOSK_EMAIL).first()
    if kiosk is not None:
        kiosk.groups.add(Group.objects.get_or_create(name=KIOSK_GROUP)[0])
        FacilityMembership.objects.get_or_create(user=kiosk, facility=rsud, role=FacilityRole.KIOSK)
    _staff_devices(rsud)
    return {"lines": TicketLine.objects.count(), "lokets": Loket.objects.count()}


def _staff_devices(rsud) -> None:
    """The RSUD's nurse (group "Perawat Poli") and waiting-room TV (group "Layar Antrean")."""
    from accounts.demo import DEMO_NURSE_EMAIL, DEMO_SCREEN_EMAIL
    from visitday.display.access import screen_group_ensure
    from visitday.nurse.services import nurse_group_ensure

    users = get_user_model().objects
    for email, group, role in (
        (DEMO_NURSE_EMAIL, nurse_group_ensure, FacilityRole.NURSE),
        (DEMO_SCREEN_EMAIL, screen_group_ensure, FacilityRole.SCREEN),
    ):
        user = users.filter(email=email).first()
        if user is not None:
            user.groups.add(group())
            FacilityMembership.objects.get_or_create(user=user, facility=rsud, role=role)
